"""The OpenAPI document's security comes from the access table, for every operation."""

from __future__ import annotations

import re

from market40.auth.access import ENDPOINTS, PUBLIC, SIGNED

METHODS = {"get", "post", "put", "patch", "delete"}


def _operations(client):
    spec = client.get("/api/openapi.json").get_json()
    for path, item in spec["paths"].items():
        rule = re.sub(r"\{([^}]+)\}", r"<\1>", path)
        for method, operation in item.items():
            if method in METHODS:
                yield f"{method.upper()} {rule}", operation, spec


def test_every_operation_declares_the_tables_security(client):
    seen = 0
    for key, operation, spec in _operations(client):
        access = ENDPOINTS[key]
        security = operation["security"]
        if access.permission == PUBLIC:
            assert security == [], key
        elif access.permission == SIGNED:
            assert security == [{access.signature: []}], key
        elif access.optional_token:
            assert security == [{}, {"bearer": []}], key
        else:
            assert security == [{"bearer": []}], key
        for requirement in security:
            assert set(requirement) <= set(spec["components"]["securitySchemes"]), key
        seen += 1
    assert seen > 40


def test_each_signed_feed_documents_its_own_credential(client):
    spec = client.get("/api/openapi.json").get_json()
    schemes = spec["components"]["securitySchemes"]
    bank = spec["paths"]["/api/v1/notifications/bank"]["post"]["security"]
    assert [schemes[name]["name"] for req in bank for name in req] == ["X-Signature"]
    sepay = spec["paths"]["/api/v1/notifications/sepay"]["post"]["security"]
    assert [schemes[name]["name"] for req in sepay for name in req] == ["Authorization"]


def test_the_operations_that_were_documented_public_need_a_token(client):
    secured = {key: op["security"] for key, op, _ in _operations(client)}
    for key in (
        "GET /api/v1/audit/snapshots", "POST /api/v1/audit/snapshots",
        "GET /api/v1/audit/snapshots/<snapshot_id>",
        "GET /api/v1/audit/snapshots/<snapshot_id>/verify",
        "POST /api/v1/markets/<code>/listings",
        "DELETE /api/v1/markets/<code>/listings/<listing_id>",
        "POST /api/v1/indicators", "GET /api/v1/vendors/<vendor_id>/qr",
        "POST /api/v1/qr/verify", "GET /api/v1/vendors/<vendor_id>/card.pdf",
        "GET /api/v1/markets/<code>/cards.pdf",
    ):
        assert secured[key] == [{"bearer": []}], key
