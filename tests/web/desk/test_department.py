"""Listings and snapshots at the desk: the registry's and the audit's own functions."""

from __future__ import annotations

import re

import sqlalchemy as sa

from market40.models import Listing, Snapshot
from tests.web.desk.conftest import form_token

LISTINGS = "/desk/markets/DAI-TU/listings"


def test_a_board_adds_and_ends_a_listing(as_user, db):
    board = as_user("board")
    token = form_token(board, LISTINGS)
    bad = board.post(LISTINGS, data={"csrf_token": token, "product": "Chè", "platform": "x",
                                     "url": "not a url", "started_on": "2999-01-01"})
    assert bad.status_code == 422 and 'aria-invalid="true"' in bad.get_data(as_text=True)
    assert "không được sau hôm nay" in bad.get_data(as_text=True)  # not the rule's English
    url = board.post(LISTINGS, data={"csrf_token": token, "product": "Chè", "platform": "x",
                                     "url": "not a url"})
    assert url.status_code == 422 and "địa chỉ web" in url.get_data(as_text=True)
    empty = board.post(LISTINGS, data={"csrf_token": token, "product": " ", "platform": "x",
                                       "url": "https://shopee.vn/x"})
    assert empty.status_code == 422 and "must not be empty" not in empty.get_data(as_text=True)
    count = db.session.scalar(sa.select(sa.func.count()).select_from(Listing))
    ok = board.post(LISTINGS, data={"csrf_token": token, "product": "Chè Tân Cương",
                                    "platform": "Shopee", "url": "https://shopee.vn/che-tc"})
    assert ok.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Listing)) == count + 1
    page = board.get(LISTINGS).get_data(as_text=True)
    listing_id = re.findall(r"/listings/(\d+)/end", page)[-1]
    ended = board.post(f"{LISTINGS}/{listing_id}/end", data={"csrf_token": token})
    assert ended.status_code == 302
    again = board.post(f"{LISTINGS}/{listing_id}/end", data={"csrf_token": token})
    assert again.status_code == 409 and "đã ngừng từ" in again.get_data(as_text=True)
    for odd in ("99999999999999999999", "0"):  # past any id: a 404, not the driver's overflow
        assert board.post(f"{LISTINGS}/{odd}/end", data={"csrf_token": token}).status_code == 404
    assert as_user("other_board").get(LISTINGS).status_code == 403
    assert as_user("auditor").get(LISTINGS).status_code == 403


def test_the_department_creates_a_snapshot(as_user, db):
    officer = as_user("department")
    token = form_token(officer, "/desk/snapshots")
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Snapshot))
    response = officer.post("/desk/snapshots", data={"csrf_token": token, "ruleset": "tn-2022"})
    assert response.status_code == 302 and response.headers["Location"] == "/audit"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Snapshot)) == before + 1
    unknown = officer.post("/desk/snapshots", data={"csrf_token": token, "ruleset": "nope"})
    assert 400 <= unknown.status_code < 500
    assert as_user("board").get("/desk/snapshots").status_code == 403


def test_a_snapshot_date_out_of_range_comes_back_next_to_its_field(as_user, db):
    """A year-1 date was a 500 (no 30-day window before it); a future one was half in
    English. Both come back in Vietnamese next to the date, the ruleset still chosen."""
    officer = as_user("department")
    token = form_token(officer, "/desk/snapshots")
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Snapshot))
    for as_of, problem in (("0001-01-01", "không được trước ngày 01/01/2000"),
                           ("2999-01-01", "không được sau hôm nay")):
        response = officer.post("/desk/snapshots", data={
            "csrf_token": token, "ruleset": "tn-pilot-example", "as_of": as_of})
        html = response.get_data(as_text=True)
        assert response.status_code == 422, as_of
        assert 'id="as_of-error"' in html and problem in html
        assert "must" not in html
        assert f'value="{as_of}"' in html
        assert '<option value="tn-pilot-example" selected>' in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Snapshot)) == before


def test_the_department_enters_an_indicator_value(as_user, db):
    from market40.models import Indicator

    officer = as_user("department")
    page = officer.get("/desk/indicators").get_data(as_text=True)
    key = re.search(r'<option value="([a-z_]+)"', page).group(1)
    token = form_token(officer, "/desk/indicators")
    bad = officer.post("/desk/indicators", data={"csrf_token": token, "key": key,
                                                 "value": "abc", "as_of": "2024-06-30",
                                                 "source": "x"})
    assert bad.status_code == 422 and "phải là một số" in bad.get_data(as_text=True)
    no_source = officer.post("/desk/indicators", data={"csrf_token": token, "key": key,
                                                       "value": "0.5", "as_of": "2024-06-30",
                                                       "source": ""})
    assert no_source.status_code == 422 and "hãy ghi nguồn" in no_source.get_data(as_text=True)
    percent = officer.post("/desk/indicators", data={"csrf_token": token, "key": key,
                                                     "value": "50", "as_of": "2024-06-30",
                                                     "source": "x"})
    html = percent.get_data(as_text=True)  # a share typed as a percentage
    assert percent.status_code == 422 and "0,5 là 50 %" in html and "unit share" not in html
    ok = officer.post("/desk/indicators", data={"csrf_token": token, "key": key,
                                                "value": "0,5", "as_of": "2024-06-30",
                                                "source": "Báo cáo Sở TT&TT"})
    assert ok.status_code == 302
    assert db.session.scalar(sa.select(Indicator.value).where(Indicator.key == key)) == 0.5
    assert as_user("board").get("/desk/indicators").status_code == 403
