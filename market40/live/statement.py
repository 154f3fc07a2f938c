"""A vendor's day ("sao kê trong ngày"): the QR sales of one local day, their count and
total, as JSON, CSV or a one-page PDF."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from market40.csvfile import csv_writer, formula_safe
from market40.localtime import LOCAL_TZ, day_start_utc
from market40.models import PaymentEvent, Transaction, Vendor


@dataclass(frozen=True, slots=True)
class StatementLine:
    id: int
    occurred_at: datetime
    amount: int
    reference: str
    content: str | None


@dataclass(frozen=True, slots=True)
class Statement:
    date: date
    vendor_id: int
    count: int
    total: int
    transactions: list[StatementLine]


def day_statement(session: Session, vendor: Vendor, day: date) -> Statement:
    """The QR sales of ``vendor`` on local ``day``, oldest first (memo from the event)."""
    start, end = day_start_utc(day), day_start_utc(day + timedelta(days=1))
    rows = session.execute(
        sa.select(Transaction.id, Transaction.occurred_at, Transaction.amount,
                  Transaction.reference, PaymentEvent.content)
        .outerjoin(PaymentEvent, PaymentEvent.transaction_id == Transaction.id)
        .where(Transaction.vendor_id == vendor.id, Transaction.method == "qr",
               Transaction.kind == "sale", Transaction.occurred_at >= start,
               Transaction.occurred_at < end)
        .order_by(Transaction.occurred_at, Transaction.id))
    lines = [StatementLine(*row) for row in rows]
    return Statement(day, vendor.id, len(lines), sum(line.amount for line in lines), lines)


def statement_csv(statement: Statement) -> str:
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow(["time", "amount", "reference", "content"])
    for line in statement.transactions:
        writer.writerow([line.occurred_at.astimezone(LOCAL_TZ).isoformat(), line.amount,
                         formula_safe(line.reference), formula_safe(line.content or "")])
    writer.writerow(["total", statement.total, f"{statement.count} giao dịch", ""])
    return buffer.getvalue()


def _vnd(amount: int) -> str:
    return f"{amount:,}".replace(",", ".") + " đ"


def statement_pdf(statement: Statement, vendor: Vendor) -> bytes:
    """An A4 page (more when needed): the stall, the day, every line and the total."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    from market40.render.fonts import register_pdf_fonts

    regular, bold = register_pdf_fonts()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=True)
    pdf.setTitle(f"Sao kê {statement.date.isoformat()} – {vendor.display_name}")
    width, height = A4
    left, y = 40, height - 50

    def header() -> float:
        pdf.setFont(bold, 14)
        pdf.drawString(left, height - 50, f"Sao kê trong ngày {statement.date:%d/%m/%Y}")
        pdf.setFont(regular, 10)
        pdf.drawString(left, height - 68, f"{vendor.display_name} · quầy {vendor.stall_code}")
        pdf.setFont(bold, 9)
        top = height - 95
        for x, text in ((left, "Giờ"), (left + 60, "Số tiền"), (left + 160, "Mã giao dịch"),
                        (left + 330, "Nội dung")):
            pdf.drawString(x, top, text)
        pdf.setFont(regular, 9)
        return top - 16

    y = header()
    for line in statement.transactions:
        if y < 60:
            pdf.showPage()
            y = header()
        pdf.drawString(left, y, line.occurred_at.astimezone(LOCAL_TZ).strftime("%H:%M:%S"))
        pdf.drawRightString(left + 140, y, _vnd(line.amount))
        pdf.drawString(left + 160, y, line.reference[:32])
        pdf.drawString(left + 330, y, (line.content or "")[:40])
        y -= 14
    pdf.setFont(bold, 11)
    pdf.drawString(left, max(y - 10, 40),
                   f"Tổng: {_vnd(statement.total)} · {statement.count} giao dịch")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
