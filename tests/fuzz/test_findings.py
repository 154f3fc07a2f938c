"""What schemathesis found, pinned as plain tests (each was a 500 or a schema mismatch)."""

from __future__ import annotations

import pytest

from tests.factories import auth

HUGE = 2**70


@pytest.mark.parametrize("path", [f"/api/v1/vendors/{HUGE}", f"/api/v1/vendors/{HUGE}/qr",
                                  f"/api/v1/audit/snapshots/{2**40}"])
def test_an_id_past_any_table_is_404_json(client, admin, path):
    response = client.get(path, headers=auth(admin))
    assert response.status_code == 404 and response.is_json


@pytest.mark.parametrize(("path", "body", "field"), [
    ("/api/v1/vendors/bulk-approve", {"ids": [1, HUGE]}, "ids"),
    ("/api/v1/vendors/1/approve", {"version": HUGE}, "version"),
    ("/api/v1/transactions", {"vendor_id": HUGE, "amount": 1000, "method": "cash",
                              "occurred_at": "2025-03-01T08:00:00+07:00", "reference": "x"},
     "vendor_id"),
])
def test_a_huge_integer_is_422_naming_its_field(client, admin, path, body, field):
    response = client.post(path, json=body, headers=auth(admin))
    assert response.status_code == 422
    assert field in response.get_json()["errors"]["json"]


def test_a_page_past_any_table_is_empty(client, reference):
    response = client.get(f"/api/v1/markets?page={10**20}")
    assert response.status_code == 200 and response.get_json() == []


def test_a_form_part_without_a_name_is_422(client, admin):
    body = b"--XX\r\nContent-Disposition: form-data\r\n\r\nhello\r\n--XX--\r\n"
    response = client.post("/api/v1/qr/verify", data=body, headers={
        **auth(admin), "Content-Type": "multipart/form-data; boundary=XX"})
    assert response.status_code == 422
    assert "vendor_id" in response.get_json()["errors"]["json_or_form"]


def test_every_representation_is_documented(client):
    paths = client.get("/api/openapi.json").get_json()["paths"]

    def types(path: str) -> set[str]:
        return set(paths[path]["get"]["responses"]["200"]["content"])

    assert types("/api/v1/vendors/{vendor_id}/qr") == {
        "application/json", "image/png", "image/svg+xml"}
    assert types("/api/v1/audit/snapshots/{snapshot_id}") == {
        "application/json", "application/vnd.market40.snapshot+json", "text/csv",
        "application/pdf"}
    for path in ("/api/v1/transactions", "/api/v1/reports/adoption",
                 "/api/v1/reports/adoption/series", "/api/v1/reports/certification"):
        assert types(path) == {"application/json", "text/csv"}, path
    errors = client.get("/api/openapi.json").get_json()["components"]["schemas"]["Error"]
    assert "type" not in errors["properties"]["errors"]  # a mapping or a list
