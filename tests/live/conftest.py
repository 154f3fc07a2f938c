"""Fixtures of the live-payment tests."""

from __future__ import annotations

import pytest

from tests.live.broker import Broker


@pytest.fixture
def broker(tmp_path):
    """A private Mosquitto, started; stopped after the test."""
    broker = Broker(tmp_path)
    broker.start()
    yield broker
    broker.stop()
