"""Every API endpoint's access rule: one table, checked before any view runs.

``ENDPOINTS`` maps ``"METHOD /rule"`` (the rule as Flask registers it) to the
permission of ``PERMISSIONS`` it needs and the scope its view narrows it to. The
before-request check answers 401 (no token) or 403 (the role lacks the permission)
for every endpoint from this table alone; an ``/api`` rule missing from the table is
closed (403), and a test fails when one is missing. Keys leave out URL converters.
Scope needs the objects the URL names, so the views check it with
``caller(market=, vendor=)`` once they have loaded them (the permission is the
table's); the table says which scope each one applies. README's
"Access" section is rendered from this table (``flask --app wsgi access-table``).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from flask import Flask, request

from market40.auth.identity import current_user
from market40.auth.policy import PERMISSIONS, authorize
from market40.errors import Forbidden
from market40.models import Market, User, Vendor

log = logging.getLogger(__name__)

PUBLIC = "public"
SIGNED = "signed"  # an HMAC signature over the body instead of a token

# How a view narrows a permission once it has loaded the objects (README legend).
SCOPES = {
    "-": "",
    "province": "province: no market scope",
    "market": "market: the URL's market must be one of the caller's",
    "market-own": "market-own: as market; a vendor user gets only its own row",
    "vendor": "vendor: the vendor's market must be one of the caller's; a vendor user, itself",
    "rows": "rows: only rows of the caller's markets (a vendor user: its own)",
    "items": "items: every vendor named in the body must be in the caller's markets",
    "creator": "creator: only the user who created it, or an admin (others get 404)",
}


@dataclass(frozen=True)
class Access:
    permission: str  # a key of PERMISSIONS, or PUBLIC / SIGNED
    scope: str = "-"  # a key of SCOPES
    note: str = ""
    optional_token: bool = False  # public, but a token unlocks more (checked by the view)
    # SIGNED rows: the credential's OpenAPI security scheme (market40/api/openapi.py).
    signature: str = "signature"
    devices: bool = False  # a paired device's token (or a web session) also; the view checks


def _public(note: str = "") -> Access:
    return Access(PUBLIC, note=note)


ENDPOINTS: dict[str, Access] = {
    "GET /healthz": _public(),
    "GET /api/openapi.json": _public(),
    "GET /api/docs": _public(),
    "GET /api/docs/assets/<filename>": _public(),
    "GET /api/v1/districts": _public(),
    "GET /api/v1/communes": _public(),
    "GET /api/v1/banks": _public(),
    "GET /api/v1/markets": _public(),
    "POST /api/v1/markets": Access("markets.write", "province"),
    "GET /api/v1/markets/<code>": _public(),
    "PATCH /api/v1/markets/<code>": Access("markets.write", "province"),
    "GET /api/v1/markets/<code>/vendors": Access("vendors.read", "market-own"),
    "POST /api/v1/markets/<code>/vendors": Access("vendors.write", "market"),
    "POST /api/v1/markets/<code>/vendors/import": Access("vendors.import", "market"),
    "GET /api/v1/markets/<code>/cards.pdf": Access("vendors.write", "market"),
    "GET /api/v1/markets/<code>/listings": _public(),
    "POST /api/v1/markets/<code>/listings": Access("listings.write", "market"),
    "DELETE /api/v1/markets/<code>/listings/<listing_id>": Access("listings.write",
                                                                       "market"),
    "GET /api/v1/vendors/<vendor_id>": Access(
        "vendors.read", "vendor", "phone and national ID only with vendors.personal"),
    "PATCH /api/v1/vendors/<vendor_id>": Access(
        "vendors.write", "vendor", "a new bank account sends it back to approval"),
    "POST /api/v1/vendors/<vendor_id>/submit": Access("vendors.write", "vendor"),
    "POST /api/v1/vendors/<vendor_id>/approve": Access(
        "vendors.approve", "vendor", "never by the vendor's maker"),
    "POST /api/v1/vendors/<vendor_id>/reject": Access("vendors.approve", "vendor"),
    "POST /api/v1/vendors/<vendor_id>/revert": Access("vendors.approve", "vendor"),
    "POST /api/v1/vendors/bulk-approve": Access(
        "vendors.approve", "items", "an id out of scope fails alone with code 403"),
    "GET /api/v1/vendors/<vendor_id>/qr": Access("vendors.qr", "vendor"),
    "GET /api/v1/vendors/<vendor_id>/card.pdf": Access("vendors.qr", "vendor"),
    "GET /api/v1/vendors/import-template.csv": _public("no data, only the columns"),
    "GET /api/v1/vendors/import-template.xlsx": _public("no data, the columns and banks"),
    "POST /api/v1/qr/decode": _public(),
    "POST /api/v1/qr/verify": Access("vendors.read", "vendor"),
    "GET /api/v1/audit/log": Access(
        "audit.read", "rows", "personal data masked without vendors.personal"),
    "GET /api/v1/audit/public-key": _public("the Ed25519 keys that sign snapshots; chain head"),
    "GET /api/v1/audit/snapshots": Access("snapshots.read", "province"),
    "POST /api/v1/audit/snapshots": Access("snapshots.create", "province"),
    "GET /api/v1/audit/snapshots/<snapshot_id>": Access("snapshots.read", "province"),
    "GET /api/v1/audit/snapshots/<snapshot_id>/verify": Access("snapshots.read",
                                                                    "province"),
    "GET /api/v1/reports/adoption": Access(
        "reports.vendor", "vendor", "public; level=vendor needs a token", optional_token=True),
    "GET /api/v1/reports/adoption/series": Access(
        "reports.vendor", "vendor", "public; level=vendor needs a token", optional_token=True),
    "GET /api/v1/reports/certification": _public(),
    "GET /api/v1/reports/rulesets": _public(),
    "GET /api/v1/indicators": _public(),
    "POST /api/v1/indicators": Access("indicators.write", "province"),
    "GET /api/v1/indicators/<key>/values": _public(),
    "GET /api/v1/transactions": Access("transactions.read", "rows", "CSV export too"),
    "POST /api/v1/transactions": Access("transactions.write", "vendor"),
    "POST /api/v1/transactions/batch": Access("transactions.write", "items"),
    # Export jobs (issue 11, item 5): a file written in the background, served whole.
    "POST /api/v1/transactions/exports": Access(
        "transactions.read", "rows", "202; the CSV file is written in the background"),
    "GET /api/v1/transactions/exports/<export_id>": Access(
        "transactions.read", "creator", "status, rows, size, sha256"),
    "GET /api/v1/transactions/exports/<export_id>/file": Access(
        "transactions.read", "creator", "Content-Length, Range, X-Export-SHA256"),
    "POST /api/v1/notifications/bank": Access(
        SIGNED, note="X-Signature: sha256=HMAC of the body (MARKET40_WEBHOOK_SECRET)"),
    "GET /api/v1/notifications/unmatched": Access("notifications.unmatched", "province"),
    # Live payments (issue 15)
    "GET /api/v1/speech": _public(),
    "GET /api/v1/speech.wav": _public("espeak-ng, cached"),
    "POST /api/v1/notifications/sepay": Access(
        SIGNED, note="Authorization: Apikey KEY (MARKET40_SEPAY_API_KEY)", signature="sepay"),
    "GET /api/v1/vendors/<vendor_id>/events": Access(
        "events.read", "vendor", "Server-Sent Events; Last-Event-ID resumes", devices=True),
    "GET /api/v1/vendors/<vendor_id>/devices": Access("devices.write", "vendor"),
    "POST /api/v1/vendors/<vendor_id>/devices": Access(
        "devices.write", "vendor", "the device token is shown once"),
    "DELETE /api/v1/vendors/<vendor_id>/devices/<device_id>": Access(
        "devices.write", "vendor"),
    # The live page links to it: a logged-in vendor or the paired phone follows the link.
    "GET /api/v1/vendors/<vendor_id>/statement": Access(
        "statement.read", "vendor", "json, csv or pdf", devices=True),
}

# The market desk's pages (market40/web/desk): checked before each desk view with the
# session user instead of a bearer token; anonymous visitors go to the login page.
ENDPOINTS |= {
    "GET /desk": Access("desk.use", "rows", "web page: the user's markets and to-dos"),
    "GET /desk/markets/<code>/vendors": Access("desk.use", "market", "web page"),
    "GET /desk/markets/<code>/vendors/new": Access("vendors.write", "market", "web form"),
    "POST /desk/markets/<code>/vendors/new": Access("vendors.write", "market", "web form"),
    "GET /desk/vendors/<vendor_id>": Access(
        "desk.use", "vendor", "web page; phone and national ID only with vendors.personal"),
    "POST /desk/vendors/<vendor_id>": Access("vendors.write", "vendor", "web form: edit"),
    "POST /desk/vendors/<vendor_id>/submit": Access("vendors.write", "vendor", "web form"),
    "POST /desk/vendors/<vendor_id>/approve": Access(
        "vendors.approve", "vendor", "web form; never by the vendor's maker"),
    "POST /desk/vendors/<vendor_id>/reject": Access("vendors.approve", "vendor", "web form"),
    "POST /desk/vendors/<vendor_id>/revert": Access("vendors.approve", "vendor", "web form"),
    "GET /desk/approvals": Access("vendors.approve", "rows", "web page"),
    "POST /desk/approvals": Access("vendors.approve", "items", "web form: bulk approve"),
    "GET /desk/markets/<code>/poster": Access("vendors.write", "market", "web page"),
    "GET /desk/markets/<code>/poster.pdf": Access("vendors.write", "market", "A4 join poster"),
    "POST /desk/markets/<code>/poster/rotate": Access(
        "vendors.write", "market", "web form: old posters stop working"),
    "GET /desk/markets/<code>/import": Access("vendors.import", "market", "web form"),
    "POST /desk/markets/<code>/import": Access(
        "vendors.import", "market", "web form: all rows or none; a double submit replays"),
    "GET /desk/markets/<code>/cards": Access("vendors.write", "market", "web page"),
    "GET /desk/markets/<code>/cards.pdf": Access(
        "vendors.write", "market", "all, since a date, or chosen stalls"),
    "POST /audit/snapshots": Access("snapshots.create", "province",
                                    "web form on /audit; session login and csrf_token"),
    "GET /desk/markets/new": Access("markets.write", "province", "web form"),
    "POST /desk/markets/new": Access("markets.write", "province", "web form"),
    "GET /desk/markets/<code>/edit": Access("markets.write", "province", "web form"),
    "POST /desk/markets/<code>/edit": Access(
        "markets.write", "province", "web form: name, hạng, commune, board, status"),
    "GET /desk/markets/<code>/listings": Access("listings.write", "market", "web page"),
    "POST /desk/markets/<code>/listings": Access("listings.write", "market", "web form"),
    "POST /desk/markets/<code>/listings/<listing_id>/end": Access(
        "listings.write", "market", "web form"),
    "GET /desk/indicators": Access("indicators.write", "province", "web page"),
    "POST /desk/indicators": Access("indicators.write", "province", "web form"),
    "GET /desk/snapshots": Access("snapshots.create", "province", "web form"),
    "POST /desk/snapshots": Access("snapshots.create", "province", "web form"),
    "GET /join/<code>": _public("needs the poster's key ?k=; 404 otherwise"),
    "POST /join/<code>": _public(
        "self-registration; rate limited per address (a field refused: not counted), honeypot"),
    "GET /join/status/<token>": _public("an unguessable token (only its SHA-256 is stored)"),
    "GET /join/status/<token>/card.pdf": _public("once approved"),
}

_CONVERTER = re.compile(r"<(?:[^:<>]+:)?([^:<>]+)>")
ROLES = ("admin", "department", "auditor", "board", "vendor")


def guarded(path: str) -> bool:
    """Paths the table governs with bearer tokens: the API and its documents."""
    return path.startswith("/api/") or path == "/healthz"


def web_guarded(path: str) -> bool:
    """Pages the table governs with the session user (market40.web.desk checks them)."""
    return path == "/desk" or path.startswith(("/desk/", "/join/"))


def endpoint_key(method: str, rule: str) -> str:
    """``"GET /api/v1/vendors/<vendor_id>"``: converters left out, so retyping a URL
    variable (``<int:...>`` to ``<id:...>``) does not unhook its rule."""
    path = _CONVERTER.sub(r"<\1>", rule)
    return f"{'GET' if method == 'HEAD' else method} {path}"


def access_for(method: str, rule: str) -> Access | None:
    return ENDPOINTS.get(endpoint_key(method, rule))


def check_access() -> None:
    """Before every request: 401/403 from the table, before any body is parsed."""
    rule = request.url_rule
    if rule is None or request.method == "OPTIONS" or not guarded(rule.rule):
        return
    access = access_for(request.method, rule.rule)
    if access is None:
        log.error("no access rule for %s %s: refused", request.method, rule.rule)
        raise Forbidden("This endpoint has no access rule yet, so it is closed.")
    if access.permission in (PUBLIC, SIGNED) or access.optional_token or access.devices:
        return
    authorize(current_user(), access.permission)


def caller(*, market: Market | None = None, vendor: Vendor | None = None) -> User:
    """The calling user, allowed this endpoint's permission on ``market`` / ``vendor``.

    The views' one scope helper: the role was checked from ``ENDPOINTS`` before the
    view ran, and the permission is the table's, so a view names only the objects it
    loaded from the URL or body. 401 without a token, 403 outside the caller's markets.
    """
    rule = request.url_rule
    access = access_for(request.method, rule.rule) if rule is not None else None
    if access is None or access.permission in (PUBLIC, SIGNED):
        raise Forbidden("This endpoint takes no user scope.")
    return authorize(current_user(), access.permission, market=market, vendor=vendor)


def init_app(app: Flask) -> None:
    app.before_request(check_access)


def roles_for(access: Access) -> str:
    if access.permission == PUBLIC:
        return "anyone"
    if access.permission == SIGNED:
        return "bank (HMAC signature)"
    roles = [role for role in ROLES if role in PERMISSIONS[access.permission]]
    text = ", ".join(roles)
    if access.optional_token:
        text = f"anyone; vendor level: {text}"
    if access.devices:
        text += ", paired device"
    return text


def scope_text(access: Access) -> str:
    return "" if access.permission in (PUBLIC, SIGNED) else access.scope


def markdown_table() -> str:
    """The table README.md shows under "Access" (one row per method and rule)."""
    lines = ["| endpoint | permission | who | scope | note |", "|---|---|---|---|---|"]
    for key in sorted(ENDPOINTS, key=lambda k: (k.split(" ", 1)[1], k)):
        access = ENDPOINTS[key]
        permission = "" if access.permission in (PUBLIC, SIGNED) else f"`{access.permission}`"
        cells = [f"`{key}`", permission, roles_for(access), scope_text(access), access.note]
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    lines.append("")
    lines.extend(f"- {text}" for text in SCOPES.values() if text)
    return "\n".join(lines) + "\n"
