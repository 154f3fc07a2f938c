"""Vendors (tiểu thương): a stall in a market, its goods and the bank account its QR pays into."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from market40.models.base import Base, TimestampMixin
from market40.models.market import Market

# Maker-checker workflow: draft -> submitted -> approved | rejected | reverted; closed ends it.
VENDOR_STATUSES = ("draft", "submitted", "approved", "rejected", "reverted", "closed")
GOODS_CATEGORIES = (
    "rau củ quả",
    "thịt",
    "cá",
    "hàng khô",
    "tạp hóa",
    "quần áo",
    "ăn uống",
    "gia cầm",
    "hoa quả",
    "giày dép",
    "đồ gia dụng",
    "hoa",
    "khác",
)
# Vendors that hold their stall code (rejected and closed ones do not).
LIVE_STALL_CONDITION = "status NOT IN ('rejected', 'closed')"


class Vendor(TimestampMixin, Base):
    __tablename__ = "vendors"
    __table_args__ = (
        # A stall has one live vendor; a rejected or closed vendor frees its stall code
        # for the next registration (the row stays, with its history).
        sa.Index(
            "uq_vendors_market_id_stall_code_live",
            "market_id",
            "stall_code",
            unique=True,
            sqlite_where=sa.text(LIVE_STALL_CONDITION),
            postgresql_where=sa.text(LIVE_STALL_CONDITION),
        ),
        sa.Index("ix_vendors_bank_account", "bank_bin", "account_number"),
        # One bank account pays one live vendor in the whole province: a second holder
        # would make bank notifications ambiguous, or take the first one's credits.
        sa.Index(
            "uq_vendors_bank_account_live",
            "bank_bin",
            "account_number",
            unique=True,
            sqlite_where=sa.text(LIVE_STALL_CONDITION),
            postgresql_where=sa.text(LIVE_STALL_CONDITION),
        ),
        # Every column the reports' registered / with-QR rules read (reports.lifecycle):
        # counting a province's vendors reads this index alone, not 12,000 wide rows.
        # A vendor never changes market (registry.vendors: the market is not an editable
        # field): rows that carry both (transactions, the vendor-day rollups, the QR months)
        # name the pair, and one composite foreign key holds them to it (migration
        # e9a4c7b2d5f1). A unique index, not a constraint: SQLite adds it without rebuilding
        # vendors, and both databases accept it as the key's parent.
        sa.Index("uq_vendors_id_market_id", "id", "market_id", unique=True),
        sa.Index("ix_vendors_lifecycle", "market_id", "status", "created_at", "approved_at",
                 "qr_issued_at", "rejected_at", "closed_at", "bank_bin", "account_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    market_id: Mapped[int] = mapped_column(sa.ForeignKey("markets.id"), index=True)
    stall_code: Mapped[str] = mapped_column(sa.String(20))
    display_name: Mapped[str] = mapped_column(sa.String(120))
    owner_name: Mapped[str] = mapped_column(sa.String(120))
    phone: Mapped[str | None] = mapped_column(sa.String(15))
    national_id: Mapped[str | None] = mapped_column(sa.String(12))
    goods_category: Mapped[str] = mapped_column(sa.String(40))
    bank_bin: Mapped[str | None] = mapped_column(sa.ForeignKey("banks.bin"))
    account_number: Mapped[str | None] = mapped_column(sa.String(19))
    account_holder: Mapped[str | None] = mapped_column(sa.String(120))
    status: Mapped[str] = mapped_column(sa.String(10), default="draft", index=True)
    reason: Mapped[str | None] = mapped_column(sa.String(500))
    # Maker = who created or last edited the record; the checker must be someone else.
    # The vendor's own login (role "vendor"), if it has one.
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), unique=True)
    made_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    checked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    submitted_at: Mapped[datetime | None]
    approved_at: Mapped[datetime | None]
    rejected_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    # When the current QR was issued (set on approval with a bank account, cleared when the
    # account changes): reports count a vendor "with QR" from this moment.
    qr_issued_at: Mapped[datetime | None]
    # Bumped on every change; guards concurrent approvals (optimistic locking).
    version: Mapped[int] = mapped_column(default=1)

    market: Mapped[Market] = relationship(back_populates="vendors")
    made_by: Mapped[User | None] = relationship(foreign_keys=[made_by_id])  # noqa: F821
    checked_by: Mapped[User | None] = relationship(foreign_keys=[checked_by_id])  # noqa: F821

    __mapper_args__ = {"version_id_col": version}

    @property
    def market_code(self) -> str:
        return self.market.code

    @property
    def has_bank_account(self) -> bool:
        return bool(self.bank_bin and self.account_number)
