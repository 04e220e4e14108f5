"""Readers never hold the engine: the API, the WebSocket streams and the adapters go through ``LiveViews``
and the ``Commands`` port, never ``runtime.engine`` (nor the Runtime at all)."""

from __future__ import annotations

import ast
from pathlib import Path

import blendcc

SRC = Path(blendcc.__file__).resolve().parent
READERS = [SRC / "api", SRC / "adapters"]


def _violations(source: str, name: str) -> list[str]:
    tree = ast.parse(source, filename=name)
    out = []
    for node in ast.walk(tree):
        where = f"{name}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Attribute) and node.attr == "runtime":
            out.append(f"{where}: .runtime")  # container.runtime / c.runtime / self.container.runtime
        if isinstance(node, ast.Name) and node.id in ("runtime", "rt"):
            out.append(f"{where}: {node.id}")
        if isinstance(node, ast.ImportFrom) and node.module in ("blendcc.routing.engine", "blendcc.app.acd.runtime"):
            out.append(f"{where}: imports {node.module}")
        if isinstance(node, ast.Import) and any(a.name in ("blendcc.routing.engine", "blendcc.app.acd.runtime")
                                                for a in node.names):
            out.append(f"{where}: imports the engine or the runtime")
    return out


def test_no_api_or_adapter_module_reads_the_runtime_or_the_engine() -> None:
    files = [p for root in READERS for p in sorted(root.rglob("*.py"))]
    assert len(files) > 20  # the scan sees the packages
    found = [v for p in files for v in _violations(p.read_text(encoding="utf-8"), str(p.relative_to(SRC.parent)))]
    assert found == []


def test_the_scan_catches_the_old_direct_reads() -> None:
    old = ("from blendcc.routing.engine import Engine\n"
           "def on_event(c, cid):\n"
           "    runtime = c.runtime\n"
           "    return runtime.engine.contacts.get(cid)\n")
    kinds = [v.split(": ", 1)[1] for v in _violations(old, "ws_old.py")]
    assert "imports blendcc.routing.engine" in kinds and ".runtime" in kinds and "runtime" in kinds
