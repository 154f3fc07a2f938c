"""Administrative units: district-level units and communes, keyed by GSO codes."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from market40.models.base import Base

DISTRICT_KINDS = ("thành phố", "huyện", "thị xã")
COMMUNE_KINDS = ("phường", "xã", "thị trấn")


class District(Base):
    __tablename__ = "districts"

    code: Mapped[str] = mapped_column(sa.String(3), primary_key=True)  # GSO, e.g. 171 Đại Từ
    name: Mapped[str] = mapped_column(sa.String(80))
    kind: Mapped[str] = mapped_column(sa.String(20))

    communes: Mapped[list[Commune]] = relationship(
        back_populates="district", order_by="Commune.code"
    )


class Commune(Base):
    __tablename__ = "communes"

    code: Mapped[str] = mapped_column(sa.String(5), primary_key=True)  # GSO, e.g. 05761
    name: Mapped[str] = mapped_column(sa.String(80))
    kind: Mapped[str] = mapped_column(sa.String(20))
    district_code: Mapped[str] = mapped_column(sa.ForeignKey("districts.code"), index=True)

    district: Mapped[District] = relationship(back_populates="communes")
