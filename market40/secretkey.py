"""The key that signs session cookies and CSRF tokens: configured, or generated once.

There is no built-in key: a key in the source is a key everyone has (a CSRF token
forged with the old development key passed). When neither ``SECRET_KEY`` nor
``MARKET40_SECRET_KEY`` is set, the first start generates 256 random bits into
``instance/secret_key`` (or ``SECRET_KEY_FILE``), readable by its owner only (0600),
and logs that it did; later starts, and the other workers, read the same file.
Rotating it: delete the file (or set a new key) and restart; every web session and
form token then ends, API tokens are not affected.
"""

from __future__ import annotations

import logging
import os
import secrets
import stat
from pathlib import Path

log = logging.getLogger(__name__)


def _read(path: Path) -> str:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        os.chmod(path, 0o600)
        log.warning("secret key file %s was readable by others (%o); now 0600", path, mode)
    key = path.read_text(encoding="ascii").strip()
    if len(key) < 32:
        raise RuntimeError(f"secret key file {path} holds fewer than 32 characters; delete it "
                           "to generate a new one")
    return key


def load_or_create(path: Path) -> str:
    """The key kept in ``path``, created (0600, atomically) when it does not exist."""
    if path.exists():
        return _read(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(secrets.token_urlsafe(32) + "\n")
    try:
        os.link(temporary, path)  # fails if another worker won the race: use its key
    except FileExistsError:
        pass
    else:
        log.warning("no SECRET_KEY configured: generated a random one in %s (mode 0600); "
                    "keep that file, or set MARKET40_SECRET_KEY", path)
    finally:
        temporary.unlink()
    return _read(path)
