"""The announcement as a WAV clip, spoken by Debian's ``espeak-ng`` (northern Vietnamese).

Clips are cached on disk under ``instance/speech/`` (one file per amount, written
atomically, shared by every worker) so a phone without a Vietnamese voice replays a
cached file instead of starting espeak-ng again.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from market40.errors import Unavailable
from market40.live.words import announcement

log = logging.getLogger(__name__)

VOICE = "vi"  # espeak-ng's Vietnamese_(Northern)
SPEED = 150  # words per minute: a little slower than espeak-ng's 175, for a noisy market
TIMEOUT = 20  # seconds


def espeak() -> str | None:
    return shutil.which("espeak-ng")


def synthesise(text: str) -> bytes:
    """``text`` as WAV bytes.

    :raises Unavailable: espeak-ng is not installed or failed.
    """
    program = espeak()
    if program is None:
        raise Unavailable("espeak-ng is not installed on this server "
                                 "(Debian: apt-get install espeak-ng).")
    try:
        result = subprocess.run([program, "-v", VOICE, "-s", str(SPEED), "--stdout", text],
                                capture_output=True, timeout=TIMEOUT, check=True)
    except (subprocess.SubprocessError, OSError) as error:
        log.error("espeak-ng failed: %s", error)
        raise Unavailable("The speech synthesiser failed; try again.") from None
    return result.stdout


def speech_wav(amount: int, cache_dir: Path) -> Path:
    """The cached clip of ``announcement(amount)``, made on first use."""
    path = cache_dir / f"{amount}.wav"
    if path.exists():
        return path
    body = synthesise(announcement(amount))
    cache_dir.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=cache_dir, suffix=".part")
    with os.fdopen(handle, "wb") as file:
        file.write(body)
    os.replace(temporary, path)
    return path
