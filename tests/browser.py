"""Debian's Chromium for the page tests, driven by Playwright: one browser per pytest worker,
the two widths pages are checked at, and the axe-core check every page test shares.

Never ``playwright install``: it downloads a browser. Without /usr/bin/chromium
(``apt-get install chromium``) the tests that ask for ``browser`` are skipped.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One Chromium for the worker's whole run (each test opens contexts of its own):
    starting one per test module cost ~1 s of CPU a module and worker."""
    if not CHROMIUM.exists():
        pytest.skip("browser tests need Debian's Chromium at /usr/bin/chromium "
                    "(apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def axe_checks(lang: str, viewport: dict[str, int]) -> bool:
    """Whether a page in this language and at this width is checked with axe-core.

    What axe judges changes with the width (the style sheet's phone media queries change
    colours and layout) and with the language (the ``lang`` attribute and every text), not
    with the pair: Vietnamese at both widths and English on the desktop cover every input.
    Each check costs 0.3-6 s of browser CPU (the overview's 140-row table the most), and
    the page is still laid out and measured in every pair.
    """
    return lang == "vi" or viewport is DESKTOP


BAD_IMPACTS = ("serious", "critical")
# Marks each table row whose markup, without its text and links, repeats an earlier row's
# of the same table: the overview's and the department desk's 140 markets are a few kinds
# of row (certified, not, no data) over and over.
MARK_REPEATED_ROWS = """() => {
  let marked = 0;
  for (const body of document.querySelectorAll('tbody')) {
    const seen = new Set();
    for (const row of body.rows) {
      const copy = row.cloneNode(true);
      for (const el of [copy, ...copy.querySelectorAll('*')]) {
        for (const name of ['href', 'id', 'for', 'value', 'data-market', 'datetime', 'title',
                            'aria-label']) el.removeAttribute(name);
        for (const node of [...el.childNodes]) if (node.nodeType === 3) node.remove();
      }
      if (seen.has(copy.outerHTML)) { row.setAttribute('data-axe-repeat', ''); marked++; }
      else seen.add(copy.outerHTML);
    }
  }
  return marked;
}"""


def accessible(tab_: Any) -> None:
    """axe-core (vendored by axe-playwright-python) finds no serious or critical violation.

    Every rule runs on the whole page but the colour contrast, which costs ~1.8 ms an
    element (4.5 of the overview's 4.6 s, 2,534 elements) and runs once per kind of table
    row: a repeated row has the same classes and styles, only other text.
    """
    axe = pytest.importorskip("axe_playwright_python.sync_playwright")
    checker = axe.Axe()
    tab_.page.evaluate(checker.axe_script)
    tab_.page.evaluate(MARK_REPEATED_ROWS)
    options = {"resultTypes": ["violations"]}
    violations = tab_.page.evaluate("""async options => [
        ...(await axe.run(document, {...options, rules: {'color-contrast': {enabled: false}}}))
            .violations,
        ...(await axe.run({exclude: [['[data-axe-repeat]']]},
                          {...options, runOnly: {type: 'rule', values: ['color-contrast']}}))
            .violations]""", options)
    bad = [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
           for v in violations if v["impact"] in BAD_IMPACTS]
    assert not bad, f"{tab_.page.url}: {bad}"
