"""gunicorn.conf.py as gunicorn reads it: what every ``make serve`` starts with."""

from __future__ import annotations

import time

import pytest

from tests.faults.conftest import (  # noqa: F401 - the scratch fixture
    Scratch,
    free_port,
    kill_group,
    scratch,
    start_gunicorn,
)


@pytest.mark.parametrize("scratch", ["sqlite"], indirect=True)
def test_no_control_socket_unless_a_path_is_given(scratch: Scratch, tmp_path) -> None:  # noqa: F811
    # gunicorn's default path, which every instance of the user would share
    home = tmp_path / "home"
    home.mkdir()
    default = {"HOME": str(home), "XDG_RUNTIME_DIR": ""}
    server = start_gunicorn(scratch, free_port(), workers=1, env=default)
    try:
        time.sleep(0.5)  # the socket comes up beside the workers
        assert not (home / ".gunicorn").exists()
    finally:
        kill_group(server)
    asked = tmp_path / "gunicorn.ctl"
    server = start_gunicorn(scratch, free_port(), workers=1,
                            env={**default, "MARKET40_GUNICORN_CONTROL_SOCKET": str(asked)})
    try:
        deadline = time.monotonic() + 10
        while not asked.is_socket() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert asked.is_socket()
        assert (asked.stat().st_mode & 0o777) == 0o600
        assert not (home / ".gunicorn").exists()
    finally:
        kill_group(server)
