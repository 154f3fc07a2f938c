"""The package's examples, its public surface, and its purity (stdlib only, STYLE rule 4)."""

from __future__ import annotations

import ast
import doctest
import importlib
import pkgutil
import subprocess
import sys
from dataclasses import fields
from pathlib import Path

import pytest

import market40.vietqr as vietqr

MODULES = sorted(
    ["market40.vietqr"]
    + [f"market40.vietqr.{m.name}" for m in pkgutil.iter_modules(vietqr.__path__)]
)
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", MODULES)
def test_every_module_shows_examples(name: str) -> None:
    # pytest runs them (--doctest-modules); here: each module carries two or more.
    module = importlib.import_module(name)
    examples = sum(len(test.examples) for test in doctest.DocTestFinder().find(module))
    assert examples >= 2, f"{name} has no doctests"


def test_public_api() -> None:
    assert set(vietqr.__all__) == {
        "API_FIELDS", "InvalidChecksum", "InvalidComponent", "InvalidFormat", "InvalidLength",
        "VietQRError", "VietQRPayload", "VietQRWarning", "crc16", "decode", "encode",
        "encode_with_warnings", "fit", "fold", "is_valid", "validate",
    }  # fmt: skip
    assert all(hasattr(vietqr, name) for name in vietqr.__all__)


def test_api_fields_are_the_http_contract() -> None:
    contract = ("bank_bin", "bank", "account", "service", "initiation", "amount", "purpose",
                "bill", "reference", "terminal", "merchant_name", "merchant_city", "crc",
                "warnings")  # fmt: skip
    assert vietqr.API_FIELDS == contract
    names = [f.name for f in fields(vietqr.VietQRPayload)]
    assert names[: len(contract)] == list(contract)


def test_exception_tree() -> None:
    assert issubclass(vietqr.VietQRError, ValueError)
    assert issubclass(vietqr.InvalidLength, vietqr.InvalidFormat)
    for cls in (vietqr.InvalidFormat, vietqr.InvalidChecksum, vietqr.InvalidComponent):
        assert cls.__bases__ == (vietqr.VietQRError,)
        assert cls.message and cls.message != vietqr.VietQRError.message
    error = vietqr.InvalidChecksum()
    assert (str(error), error.field, error.value) == (vietqr.InvalidChecksum.message, None, None)


FORBIDDEN = {"flask", "sqlalchemy", "flask_sqlalchemy", "PIL", "qrcode", "market40"}


def test_imports_are_stdlib_or_relative() -> None:
    for path in Path(vietqr.__file__).parent.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                tops = {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                tops = {(node.module or "").split(".")[0]}
            else:
                continue
            assert not tops & FORBIDDEN, f"{path.name}:{node.lineno} imports {tops & FORBIDDEN}"
            assert tops <= sys.stdlib_module_names | {"__future__"}, f"{path.name}: {tops}"


def test_import_is_light_in_a_fresh_interpreter() -> None:
    # A subprocess: other tests load Flask into this process (STYLE rule 18).
    code = (
        "import market40.vietqr, sys; "
        "heavy = {'flask', 'sqlalchemy', 'flask_sqlalchemy', 'PIL', 'qrcode'} & set(sys.modules); "
        "assert not heavy, heavy"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
