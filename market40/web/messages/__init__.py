"""Every text the web pages show, as ``key: (Vietnamese, English)``.

Keys name the page and the place (``market.follow.title``); ``{name}`` placeholders
are filled by ``i18n.gettext(key, name=...)``. tests/web/test_i18n.py checks that
every key a template or view uses is here, that both languages keep the same
placeholders, that no entry is left unused and that no key is defined twice.

The texts are kept by the part of the site that shows them: ``public`` (the pages
anyone can open, the login and the errors) and ``desk`` (the boards' and the
department's desk, self-registration and the workflow's statuses). The measures'
names and definitions come from ``reports.glossary``, so a page says what the CSV
and the PDF say.
"""

from __future__ import annotations

from market40.reports.glossary import RULESET_NAMES, TERMS
from market40.web.messages.desk import DESK, STATUSES
from market40.web.messages.public import PUBLIC

#: The parts, in the order they are merged; a key belongs to exactly one of them.
PARTS: dict[str, dict[str, tuple[str, str]]] = {
    "public": PUBLIC,
    "glossary": {
        **{f"metric.{m}": (t.name_vi, t.name_en) for m, t in TERMS.items()},
        **{f"define.{m}": (t.definition_vi, t.definition_en) for m, t in TERMS.items()},
        **{f"ruleset.{name}": pair for name, pair in RULESET_NAMES.items()},
    },
    "statuses": STATUSES,
    "desk": DESK,
}

MESSAGES: dict[str, tuple[str, str]] = {
    key: text for part in PARTS.values() for key, text in part.items()
}
