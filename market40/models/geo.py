"""Administrative units, dated: what was in force on which day.

Until 30/6/2025 Thái Nguyên had 9 district-level units and 172 communes (the 2024
structure, ``seeds/units.csv``); from 1/7/2025 local government has two tiers and the
province (merged with Bắc Kạn) has 92 communes (``seeds/communes-2025.csv``). A commune
code is read together with a date, because some codes were reused by a new unit (05443
was phường Trưng Vương and is phường Phan Đình Phùng). ``CommuneChange`` rows say which
former commune went into which new one (``seeds/commune-changes.csv``, NQ 1683/NQ-UBTVQH15).
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from market40.models.base import Base

DISTRICT_KINDS = ("thành phố", "huyện", "thị xã")
COMMUNE_KINDS = ("phường", "xã", "thị trấn")
# The day the two-tier structure took effect (NQ 202/2025/QH15, NQ 1683/NQ-UBTVQH15).
REFORM_DAY = date(2025, 7, 1)
LAST_DAY_OF_DISTRICTS = date(2025, 6, 30)


class District(Base):
    """A former district-level unit (huyện, thành phố): in force until 30/6/2025."""

    __tablename__ = "districts"

    code: Mapped[str] = mapped_column(sa.String(3), primary_key=True)  # GSO, e.g. 171 Đại Từ
    name: Mapped[str] = mapped_column(sa.String(80))
    kind: Mapped[str] = mapped_column(sa.String(20))
    # None: in force since before the records we hold.
    valid_from: Mapped[date | None]
    valid_to: Mapped[date | None]

    communes: Mapped[list[Commune]] = relationship(
        back_populates="district", order_by="Commune.code"
    )


class Commune(Base):
    """A commune-level unit (xã, phường, thị trấn) in force from ``valid_from`` to ``valid_to``.

    ``valid_from`` None: in force since before the records we hold (the 2024 structure
    also answers for earlier dates); ``valid_to`` None: still in force.
    """

    __tablename__ = "communes"
    __table_args__ = (sa.UniqueConstraint("code", "valid_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(5), index=True)  # GSO, e.g. 05761
    name: Mapped[str] = mapped_column(sa.String(80))
    kind: Mapped[str] = mapped_column(sa.String(20))
    province_code: Mapped[str] = mapped_column(sa.String(2), default="19")
    # The former district (2024 structure only; the two-tier communes have none).
    district_code: Mapped[str | None] = mapped_column(sa.ForeignKey("districts.code"), index=True)
    valid_from: Mapped[date | None]
    valid_to: Mapped[date | None]

    district: Mapped[District | None] = relationship(back_populates="communes")

    @property
    def label(self) -> str:
        """The name with its prefix, as Vietnamese writes it: "xã Đại Phúc"."""
        return f"{self.kind} {self.name}"

    def in_force(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to)

    @classmethod
    def in_force_on(cls, day: date) -> sa.ColumnElement[bool]:
        """SQL condition: the unit was in force on ``day``."""
        return sa.and_(
            sa.or_(cls.valid_from.is_(None), cls.valid_from <= day),
            sa.or_(cls.valid_to.is_(None), cls.valid_to >= day),
        )


class CommuneChange(Base):
    """A former commune (or the part of one) that went into a new commune on ``effective``."""

    __tablename__ = "commune_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    # None for units we do not hold (the former Bắc Kạn communes): then only the name.
    former_id: Mapped[int | None] = mapped_column(sa.ForeignKey("communes.id"), index=True)
    former_name: Mapped[str] = mapped_column(sa.String(80))
    former_kind: Mapped[str] = mapped_column(sa.String(20))
    former_province: Mapped[str] = mapped_column(sa.String(40))
    new_id: Mapped[int] = mapped_column(sa.ForeignKey("communes.id"), index=True)
    # False: the former commune was split and only part of it went here.
    whole: Mapped[bool] = mapped_column(default=True)
    effective: Mapped[date]
    source: Mapped[str] = mapped_column(sa.String(120))

    former: Mapped[Commune | None] = relationship(foreign_keys=[former_id])
    new: Mapped[Commune] = relationship(foreign_keys=[new_id])
