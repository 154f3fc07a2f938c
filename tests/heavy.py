"""How big the heavy cases run: in full on CI, smaller in ``make test``.

The heavy cases (the constant-memory export, the SIGKILL runs, the long Hypothesis
searches) carry ``@pytest.mark.slow`` (``-m "not slow"`` leaves them out of a quick
loop) and take their size from :func:`scaled`: the full size when ``CI`` is true (as
``.ci/run`` sets it) or ``MARKET40_FULL_TESTS=1``, a smaller one otherwise. Smaller
still checks the same property, with less margin.
"""

from __future__ import annotations

import os

FULL = any(os.environ.get(name, "").lower() in ("1", "true", "yes")
           for name in ("CI", "MARKET40_FULL_TESTS"))


def scaled(full: int, small: int) -> int:
    """``full`` on CI, ``small`` in a developer's ``make test``."""
    return full if FULL else small
