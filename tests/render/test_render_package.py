"""render's modules form a tree: no module imports another that imports it back (even
for type checking), and none reaches into another's private names."""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

import market40.render

PACKAGE = Path(market40.render.__file__).resolve().parent


def render_imports(path: Path) -> list[tuple[str, list[str]]]:
    """(module, names) for every ``from market40.render.x import ...`` in ``path``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("market40.render."):
            found.append((node.module.rsplit(".", 1)[1], [a.name for a in node.names]))
    return found


def test_no_cycles_and_no_private_names():
    graph: dict[str, set[str]] = {}
    for path in PACKAGE.glob("*.py"):
        imports = render_imports(path)
        graph[path.stem] = {module for module, _ in imports}
        for module, names in imports:
            private = [n for n in names if n.startswith("_")]
            assert not private, f"{path.name} imports private names {private} from {module}"
    try:
        order = list(TopologicalSorter(graph).static_order())
    except CycleError as error:
        pytest.fail(f"import cycle in market40.render: {error.args[1]}")
    assert order.index("stall_card") < order.index("card_layout") < order.index("cards")
