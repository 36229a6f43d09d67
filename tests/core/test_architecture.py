"""The architecture as the code has it: the picture is current, ingest stays below archive,
and no two parts import each other in a cycle."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _graph_module():
    spec = importlib.util.spec_from_file_location("import_graph", ROOT / "scripts" / "import_graph.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["import_graph"] = module
    spec.loader.exec_module(module)
    return module


def test_the_picture_in_the_docs_is_the_codes() -> None:
    g = _graph_module()
    text = g.DOC.read_text(encoding="utf-8")
    assert g.rewritten(text) == text, "run make docs-graph"


def test_ingest_imports_only_the_leaf_modules_of_archive() -> None:
    g = _graph_module()
    assert g.ingest_reaches() <= g.INGEST_MAY_USE
    for leaf in g.INGEST_MAY_USE:  # and those import nothing of the project
        assert g.modules()[leaf] == set(), leaf


def test_no_import_cycle_between_parts() -> None:
    g = _graph_module()
    assert g.cycles(g.boxes()) == []
    packages = {"archive": set(), "ingest": set()}
    for mod, deps in g.modules().items():
        packages[mod.split(".")[0]].update(d.split(".")[0] for d in deps)
    assert "archive" in packages["ingest"] and "ingest" in packages["archive"]  # the two directions exist…
    assert g.ingest_reaches() <= g.INGEST_MAY_USE  # …but ingest's reaches only the leaves
