"""An independent computation of DESIGN.md §5 from raw transactions, for the tests.

Deliberately naive: plain Python loops over Transaction, Vendor and Listing rows,
no rollups, no SQL aggregates, none of market40.reports. Report figures must
equal these for every data set the tests build.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from market40.models import Listing, Market, Transaction, Vendor

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")


def _day(moment: datetime | None) -> date | None:
    return None if moment is None else moment.astimezone(LOCAL).date()


def _ended(vendor: Vendor, day: date) -> bool:
    if vendor.status == "rejected":
        return vendor.rejected_at is None or _day(vendor.rejected_at) <= day
    if vendor.status == "closed":
        return vendor.closed_at is None or _day(vendor.closed_at) <= day
    return False


def is_registered(vendor: Vendor, day: date) -> bool:
    return _day(vendor.created_at) <= day and not _ended(vendor, day)


def has_qr(vendor: Vendor, day: date) -> bool:
    if vendor.status not in ("approved", "closed", "rejected"):
        return False
    if not (vendor.bank_bin and vendor.account_number) or vendor.qr_issued_at is None:
        return False
    if _day(vendor.qr_issued_at) > day:
        return False
    if vendor.approved_at is not None and _day(vendor.approved_at) > day:
        return False
    return not _ended(vendor, day)


def _share(numerator: int, denominator: int) -> Fraction | None:
    return Fraction(numerator, denominator) if denominator else None


def expected(session, as_of: date, window: int = 30, markets: list[str] | None = None,
             vendor_id: int | None = None) -> dict:
    """The metrics for some markets (None: all) or one vendor."""
    all_markets = session.scalars(sa.select(Market)).all()
    market_ids = {m.id for m in all_markets if markets is None or m.code in markets}
    vendors = [v for v in session.scalars(sa.select(Vendor))
               if (v.id == vendor_id if vendor_id is not None else v.market_id in market_ids)]
    ids = {v.id for v in vendors}
    days = {as_of - timedelta(days=i) for i in range(window)}
    in_window = [t for t in session.scalars(sa.select(Transaction))
                 if t.vendor_id in ids and _day(t.occurred_at) in days]
    sales = [t for t in in_window if t.kind == "sale"]
    fees = [t for t in in_window if t.kind == "fee"]
    qr_sales = [t for t in sales if t.method == "qr"]
    qr_fees = [t for t in fees if t.method == "qr"]
    with_qr = [v for v in vendors if has_qr(v, as_of)]
    sellers = {t.vendor_id for t in qr_sales}
    active = [v for v in with_qr if v.id in sellers]
    registered = [v for v in vendors if is_registered(v, as_of)]
    online = None
    if vendor_id is None:
        online = sum(
            1 for item in session.scalars(sa.select(Listing))
            if item.market_id in market_ids and item.started_on <= as_of
            and (item.ended_on is None or item.ended_on > as_of)
        )
    figures = {
        "registered": len(registered),
        "with_qr": len(with_qr),
        "active": len(active),
        "sales_count": len(sales),
        "sales_value": sum(t.amount for t in sales),
        "qr_sales_count": len(qr_sales),
        "qr_sales_value": sum(t.amount for t in qr_sales),
        "fees_count": len(fees),
        "fees_value": sum(t.amount for t in fees),
        "qr_fees_count": len(qr_fees),
        "qr_fees_value": sum(t.amount for t in qr_fees),
        "online_products": online,
    }
    figures["coverage"] = _share(figures["with_qr"], figures["registered"])
    figures["active_rate"] = _share(figures["active"], figures["with_qr"])
    figures["cashless_share_count"] = _share(figures["qr_sales_count"], figures["sales_count"])
    figures["cashless_share_value"] = _share(figures["qr_sales_value"], figures["sales_value"])
    figures["fees_cashless_share"] = _share(figures["qr_fees_count"], figures["fees_count"])
    return figures


def as_json(figures: dict) -> dict:
    """The oracle's figures as the API shows them (ratios as floats)."""
    return {k: float(v) if isinstance(v, Fraction) else v for k, v in figures.items()}
