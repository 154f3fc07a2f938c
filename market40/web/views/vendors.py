"""``/vendors/<id>``: a vendor's stall card and what it received. Login: the vendor itself,
its market's board, and the province-wide roles (the policy's ``reports.vendor``)."""

from __future__ import annotations

import io
from datetime import timedelta

from flask import Response, abort, render_template, send_file
from markupsafe import Markup

from market40.codes import PaymentCode, holder_as_banks_show_it, payment_code, stall_card
from market40.errors import Conflict
from market40.extensions import db
from market40.localtime import local_today
from market40.models import Vendor
from market40.render import qr_svg, stall_card_pdf
from market40.reports.adoption import adoption_report, resolve_scope
from market40.reports.series import adoption_series
from market40.web.args import PeriodArgsSchema, check_as_of, parse
from market40.web.blueprint import bp
from market40.web.charts import bar_chart, responsive
from market40.web.formatting import format_number, format_short_date, format_vnd
from market40.web.i18n import current_lang, gettext
from market40.web.queries import recent_payments, why_no_code
from market40.web.session import login_required, require


def _vendor(vendor_id: int) -> Vendor:
    vendor = db.session.get(Vendor, vendor_id)
    if vendor is None:
        abort(404)
    require("reports.vendor", vendor=vendor)
    return vendor


def _code(vendor: Vendor) -> tuple[PaymentCode | None, str | None]:
    """The static stall code, or why the vendor has none (a message key)."""
    try:
        return payment_code(vendor), None
    except Conflict:
        return None, why_no_code(vendor)


@bp.get("/vendors/<id:vendor_id>")
@login_required
def vendor(vendor_id: int) -> tuple[str, int]:
    """The printable card (QR as SVG) and the vendor's payments over the window."""
    vendor = _vendor(vendor_id)
    args = parse(PeriodArgsSchema())
    as_of, window = check_as_of(args), args["window"]
    code, no_code = _code(vendor)
    scope = resolve_scope(db.session, "vendor", str(vendor.id))
    report = adoption_report(db.session, scope, as_of, window)
    on_day = adoption_report(db.session, scope, as_of, 1)
    first = as_of - timedelta(days=window - 1)
    daily = adoption_series(db.session, scope, first, as_of, "day")
    lang = current_lang()
    chart = responsive(
        bar_chart,
        "qr-daily",
        gettext("vendor.daily.title"),
        [format_short_date(p.period.start, lang) for p in daily.points],
        [p.figures.qr_sales_value for p in daily.points],
        y_format=lambda v: format_number(v, lang),
        value_format=lambda v: format_vnd(None if v is None else int(v), lang),
        whole=True,
        empty_text=gettext("chart.empty"),
    )
    svg = Markup(qr_svg(code.payload).decode("ascii")) if code is not None else None
    page = render_template(
        "vendor.html",
        args=args,
        vendor=vendor,
        code=code,
        no_code=no_code,
        qr=svg,
        holder=holder_as_banks_show_it(vendor) if code is not None else None,
        report=report,
        figures=report.figures,
        on_day=on_day.figures,
        is_today=as_of == local_today(),
        window=window,
        first=first,
        daily=daily,
        daily_chart=chart,
        payments=recent_payments(db.session, vendor, as_of),
    )
    return page, args.status


@bp.get("/vendors/<id:vendor_id>/card.pdf")
@login_required
def vendor_card(vendor_id: int) -> Response:
    """The stall card as an A6 PDF to print (the same card as on the page)."""
    vendor = _vendor(vendor_id)
    code, no_code = _code(vendor)
    if code is None:
        abort(409, gettext(no_code or "why.no_qr"))
    pdf = stall_card_pdf(stall_card(vendor))
    return send_file(
        io.BytesIO(pdf),
        mimetype="application/pdf",
        download_name=f"card-{vendor.market.code}-{vendor.stall_code}.pdf",
        max_age=0,
    )
