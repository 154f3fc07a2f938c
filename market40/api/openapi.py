"""The OpenAPI document's ``security`` comes from the access table, not from each view.

Every operation gets the requirement its ``auth.access.ENDPOINTS`` row says: a bearer
token, an HMAC signature, a token that is optional (public, more with one), or none.
An operation the table does not know is closed, and documented as needing a token.
"""

from __future__ import annotations

from typing import Any

from apispec import APISpec, BasePlugin

from market40.auth.access import PUBLIC, SIGNED, access_for

BEARER = "bearer"
SIGNATURE = "signature"
SECURITY_SCHEMES = {
    BEARER: {"type": "http", "scheme": "bearer"},
    SIGNATURE: {"type": "apiKey", "in": "header", "name": "X-Signature",
                "description": "sha256=HMAC of the body with MARKET40_WEBHOOK_SECRET"},
    "sepay": {"type": "apiKey", "in": "header", "name": "Authorization",
              "description": "Apikey MARKET40_SEPAY_API_KEY (SePay's webhook setting)"},
}


def security_for(method: str, rule: str) -> list[dict[str, list]]:
    """The OpenAPI security requirement of one operation, from its ENDPOINTS row."""
    access = access_for(method, rule)
    if access is None:
        return [{BEARER: []}]
    if access.permission == PUBLIC:
        return []
    if access.permission == SIGNED:
        return [{access.signature: []}]
    if access.optional_token:
        return [{}, {BEARER: []}]
    return [{BEARER: []}]


class AccessTablePlugin(BasePlugin):
    """apispec plugin: writes each operation's ``security`` from the access table."""

    def init_spec(self, spec: APISpec) -> None:
        for name, scheme in SECURITY_SCHEMES.items():
            if name not in spec.components.security_schemes:
                spec.components.security_scheme(name, scheme)

    def operation_helper(self, path: str | None = None, operations: dict | None = None,
                         **kwargs: Any) -> None:
        rule = kwargs.get("rule")
        if rule is None or not operations:
            return
        for method, operation in operations.items():
            operation["security"] = security_for(method.upper(), rule.rule)


def drop_null_keywords(self: Any, field: Any, ret: dict, **kwargs: Any) -> dict:
    """apispec attribute function: remove the ``format``/``pattern`` that apispec sets to
    null for a DateTime with a strptime format (SePay's ``YYYY-MM-DD HH:MM:SS``): OpenAPI
    tools refuse a null keyword. A ``pattern`` in the field's metadata is kept."""
    for keyword in ("format", "pattern"):
        if keyword in ret and ret[keyword] is None:
            del ret[keyword]
    return {}
