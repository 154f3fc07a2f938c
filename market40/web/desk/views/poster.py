"""The market's enrollment poster (A4 PDF with the join QR) and rotating its key."""

from __future__ import annotations

import io

from flask import flash, redirect, render_template, send_file, url_for
from markupsafe import Markup
from werkzeug.wrappers import Response

from market40.extensions import db
from market40.models import Market
from market40.registry.enrollment import join_key, rotate_join_key
from market40.render import qr_svg
from market40.render.poster import enrollment_poster_pdf
from market40.web.desk.blueprint import bp, check_csrf, desk_user, market_for
from market40.web.i18n import gettext


def join_url(market: Market) -> str:
    """The absolute address the poster's QR holds."""
    return url_for("desk.join", code=market.code, k=join_key(db.session, market),
                   _external=True)


@bp.get("/desk/markets/<code>/poster")
def poster_page(code: str) -> str:
    """The join link, its QR, the PDF to print and the button that invalidates old posters."""
    market = market_for(code, "vendors.write")
    url = join_url(market)
    db.session.commit()
    return render_template("desk/poster.html", market=market, url=url,
                           qr=Markup(qr_svg(url).decode("ascii")))


@bp.get("/desk/markets/<code>/poster.pdf")
def poster_pdf(code: str) -> Response:
    """An A4 enrollment poster for the market's notice board (always in Vietnamese)."""
    market = market_for(code, "vendors.write")
    url = join_url(market)
    db.session.commit()
    pdf = enrollment_poster_pdf(
        market_name=market.name,
        title=gettext("poster.title", "vi"),
        steps=[gettext(f"poster.step{n}", "vi") for n in (1, 2, 3)],
        url=url,
        footer=gettext("poster.footer", "vi"),
    )
    return send_file(io.BytesIO(pdf), mimetype="application/pdf", max_age=0,
                     download_name=f"poster-{market.code}.pdf")


@bp.post("/desk/markets/<code>/poster/rotate")
def poster_rotate(code: str) -> Response:
    """A new join key: posters printed before stop working."""
    market = market_for(code, "vendors.write")
    check_csrf()
    rotate_join_key(db.session, market, desk_user())
    db.session.commit()
    flash("desk.flash.rotated")
    return redirect(url_for("desk.poster_page", code=market.code))
