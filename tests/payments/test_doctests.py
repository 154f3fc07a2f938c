"""The examples in the docstrings of the transaction modules are tests too."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "market40.payments.memo",
    "market40.payments.signature",
    "market40.localtime",
    "market40.simulate.adoption",
    "market40.simulate.seasons",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0
    assert result.failed == 0
