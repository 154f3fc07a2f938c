"""The message catalogue is complete, and the language switch sticks."""

from __future__ import annotations

import re
import string
from pathlib import Path

from market40.models.vendor import VENDOR_STATUSES
from market40.reports.metrics import RATIO_METRICS
from market40.web.messages import MESSAGES, PARTS

WEB = Path(__file__).resolve().parents[2] / "market40" / "web"
LITERAL_KEY = re.compile(r"""(?:\b_|gettext)\(\s*["']([a-z0-9_.]+)["']""")
# Keys built at run time: prefix ~ value (status, method, kind, why, metric, error).
DYNAMIC_PREFIXES = ("status.", "method.", "kind.", "why.", "metric.", "error.", "lang.", "next.",
                    "direction.", "invalid.", "ruleset.", "define.", "audit.market_",
                    # the desk: actions, history entries, flashes, field labels, problems
                    "desk.action.", "desk.history.", "desk.flash.", "field.", "problem.",
                    "join.status.", "poster.step", "desk.market_status.")


def used_keys() -> set[str]:
    keys = set()
    for path in list(WEB.rglob("*.html")) + list(WEB.rglob("*.py")):
        keys |= set(LITERAL_KEY.findall(path.read_text(encoding="utf-8")))
    return {k for k in keys if not k.endswith(".")}


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_key_used_by_a_page_is_in_the_catalogue():
    missing = used_keys() - MESSAGES.keys()
    assert not missing


def test_no_entry_is_dead():
    dead = {k for k in MESSAGES.keys() - used_keys() if not k.startswith(DYNAMIC_PREFIXES)}
    assert not dead


def test_no_key_is_written_twice():
    # The parts are merged into one dict, where a second definition would silently win.
    seen: dict[str, str] = {}
    twice = set()
    for name, part in PARTS.items():
        for key in part:
            if key in seen:
                twice.add(f"{key} ({seen[key]}, {name})")
            seen[key] = name
    assert not twice


def test_both_languages_are_written_and_share_placeholders():
    for key, (vi, en) in MESSAGES.items():
        assert vi.strip() and en.strip(), key
        assert placeholders(vi) == placeholders(en), key


def test_dynamic_families_are_complete():
    for status in VENDOR_STATUSES:
        assert f"status.{status}" in MESSAGES
        assert f"why.{status}" in MESSAGES
        assert f"next.{status}" in MESSAGES
    for metric in RATIO_METRICS:
        assert f"metric.{metric}" in MESSAGES
    for code in (400, 401, 403, 404, 409, 422, 429):
        assert f"error.{code}.title" in MESSAGES and f"error.{code}.text" in MESSAGES


def test_vietnamese_is_the_default(client, reference):
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="vi">' in page
    assert "Chợ 4.0 toàn tỉnh" in page and "Market 4.0 across the province" not in page


def test_the_switch_sets_a_cookie_that_later_pages_follow(client, reference):
    response = client.get("/?lang=en")
    page = response.get_data(as_text=True)
    assert '<html lang="en">' in page and "Market 4.0 across the province" in page
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("lang=en;") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert response.headers["Content-Language"] == "en"
    assert "Cookie" in response.headers["Vary"]
    # The next page, without the parameter, stays in English; switching back works.
    assert '<html lang="en">' in client.get("/markets/DAI-TU").get_data(as_text=True)
    back = client.get("/markets/DAI-TU?lang=vi").get_data(as_text=True)
    assert '<html lang="vi">' in back and "Tỷ lệ có mã QR" in back


def test_switch_links_keep_the_page_and_its_arguments(client, reference):
    page = client.get("/?sort=coverage&order=desc").get_data(as_text=True)
    link = re.search(r'<a href="([^"]+)" hreflang="en"', page).group(1).replace("&amp;", "&")
    assert link.startswith("/?") and "sort=coverage" in link and "order=desc" in link
    assert "lang=en" in link


def test_an_unknown_language_is_refused_in_the_url_and_ignored_in_the_cookie(client, reference):
    response = client.get("/?lang=fr")
    assert response.status_code == 422  # a bad value of a known argument names the field
    assert "lang" in response.get_data(as_text=True)
    cookie_page = client.get("/", headers={"Cookie": "lang=fr"})
    assert '<html lang="vi">' in cookie_page.get_data(as_text=True)


def test_error_pages_are_translated(client, reference):
    assert "Không tìm thấy" in client.get("/markets/NOPE").get_data(as_text=True)
    assert "Not found" in client.get("/markets/NOPE?lang=en").get_data(as_text=True)


def test_switch_links_survive_odd_query_strings(client, reference):
    page = client.get("/markets/THAI?code=DAI-TU&_external=1&window=7")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    link = re.search(r'<a href="([^"]+)" hreflang="en"', html).group(1).replace("&amp;", "&")
    assert link.startswith("/markets/THAI?") and "window=7" in link
    assert "_external" not in link and "http" not in link
    missing = client.get("/no-such-page?lang=en")
    assert missing.status_code == 404 and 'href="/no-such-page?lang=vi"' in missing.get_data(
        as_text=True)
