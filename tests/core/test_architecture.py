"""The module picture in docs/architecture.md is what the code imports, and the package rule holds.

``ingest`` may take from ``archive`` only the leaves ``archive.models`` and
``archive.errors``; ``archive`` may import ``ingest``; so no import cycle runs
between the two packages.  ``make docs-graph`` regenerates the picture.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("import_graph", ROOT / "scripts" / "import_graph.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


graph_script = _script()
GRAPH = graph_script.import_graph(ROOT)


def test_the_doc_shows_the_imports_as_they_are() -> None:
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    assert graph_script.current_block(doc) == graph_script.render(GRAPH), "run `make docs-graph`"


def test_ingest_takes_from_archive_only_models_and_errors() -> None:
    assert graph_script.cross_imports(GRAPH, "ingest", "archive") <= {"archive.models", "archive.errors"}


def test_the_leaves_ingest_uses_import_nothing_of_the_project() -> None:
    for leaf in ("archive.models", "archive.errors"):
        assert {dep for dep in GRAPH[leaf] if dep != "archive"} == set(), leaf


def test_no_import_cycle_between_the_packages() -> None:
    ingest_to_archive = graph_script.cross_imports(GRAPH, "ingest", "archive")
    # what ingest takes from archive must not lead back into ingest
    reached, todo = set(), list(ingest_to_archive)
    while todo:
        module = todo.pop()
        if module in reached:
            continue
        reached.add(module)
        todo.extend(GRAPH.get(module, ()))
    assert not {m for m in reached if m.startswith("ingest")}, sorted(reached)


def test_the_graph_sees_relative_and_function_level_imports() -> None:
    assert "ingest.chars" in GRAPH["ingest.normalize"]  # `from .chars import ...`
    assert "ingest.chars" in GRAPH["archive.analysis"]
    assert "archive" not in GRAPH["archive.analysis"]
