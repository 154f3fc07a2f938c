"""Independent decoders from npm, for cross-checks: one helper to install and find them.

Each cross-check keeps a ``node/`` folder with a pinned ``package.json`` and
``package-lock.json``; ``node_modules`` is installed on first use with ``npm ci`` and kept
(ignored by git). Without node and npm the test skips with a message; if the install
fails it skips too, except on CI (``CI`` set), where it fails.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
from pathlib import Path

import pytest


def node_with(node_dir: Path, package: str) -> str:
    """The ``node`` executable, once ``package`` is installed in ``node_dir``."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip(f"node and npm are needed for the {package} cross-check (CI has them)")
    installed = node_dir / "node_modules" / package / "package.json"
    # Serialise `npm ci` between pytest-xdist workers; flock needs no new file.
    with open(node_dir / "package.json") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not installed.exists():
                done = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=node_dir,
                                      capture_output=True, text=True, timeout=600)
                if done.returncode != 0 or not installed.exists():
                    message = f"`npm ci` in {node_dir} failed: {done.stderr.strip()[-500:]}"
                    if os.environ.get("CI"):
                        pytest.fail(message)
                    pytest.skip(message)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return node
