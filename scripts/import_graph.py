"""The picture of the modules and their imports in docs/architecture.md, made from the code.

    python scripts/import_graph.py          # rewrite the picture between the markers
    python scripts/import_graph.py --check  # exit 1 when the picture is not the code's

It reads every module of ``archive/`` and ``ingest/`` with :mod:`ast` (nothing is
imported or run), groups modules into their packages' parts (``archive.index`` is one
box: the engine behind its seam), and writes a Mermaid graph of who imports whom.  It
also states the two rules the architecture test checks: ``ingest`` imports from
``archive`` only its leaf modules ``archive.models`` and ``archive.errors``, and no two
boxes import each other in a cycle.
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "architecture.md"
BEGIN = "<!-- import-graph: begin (make docs-graph) -->"
END = "<!-- import-graph: end -->"
PACKAGES = ("archive", "ingest")
#: Sub-packages drawn as one box each (their inside is their own business).
BOXES = ("archive.index", "archive.web", "archive.cite", "ingest")
#: What ingest may import from archive: modules that import nothing of the project.
INGEST_MAY_USE = {"archive.models", "archive.errors"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> set[str]:
    """Project modules ``path`` imports (absolute and relative), at any depth of the file."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {id(n) for block in ast.walk(tree) if isinstance(block, ast.If)
                   and "TYPE_CHECKING" in ast.unparse(block.test) for n in ast.walk(block)}
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue  # imports for the type checker only: no runtime dependency
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            out.add(mod)
            out.update(f"{mod}.{a.name}" for a in node.names)
    return {m for m in out if m.split(".")[0] in PACKAGES}


def modules() -> dict[str, set[str]]:
    """Every project module → the project modules it imports (only names that exist)."""
    files = [p for pkg in PACKAGES for p in sorted((ROOT / pkg).rglob("*.py"))]
    names = {module_name(p) for p in files}
    graph = {}
    for p in files:
        # ``from archive import passages`` names the package only to reach the module.
        graph[module_name(p)] = {m for m in imports_of(p) if m in names} - {module_name(p), "archive"}
    return graph


def box(name: str) -> str:
    for b in BOXES:
        if name == b or name.startswith(b + "."):
            return b
    return name


def boxes() -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for mod, deps in modules().items():
        b = box(mod)
        out.setdefault(b, set()).update(box(d) for d in deps if box(d) != b)
    return out


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Cycles between boxes (Tarjan's strongly connected components larger than one)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    sys.setrecursionlimit(10_000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def ingest_reaches() -> set[str]:
    """Modules of ``archive`` that modules of ``ingest`` import."""
    return {d for m, deps in modules().items() if m.startswith("ingest") for d in deps
            if d.startswith("archive")}


def _id(name: str) -> str:
    return name.replace(".", "_")


def mermaid() -> str:
    graph = boxes()
    lines = ["```mermaid", "flowchart LR"]
    members = sorted(b for b in graph if b.startswith("archive"))
    lines.append("  subgraph archive")
    lines += [f"    {_id(b)}[\"{b}\"]" for b in members]
    lines.append("  end")
    lines.append('  ingest["ingest (one box: PDF to Document)"]')
    for b in sorted(graph):
        for d in sorted(graph[b]):
            lines.append(f"  {_id(b)} --> {_id(d)}")
    lines.append("```")
    return "\n".join(lines)


def section() -> str:
    reach = ", ".join(f"`{m}`" for m in sorted(ingest_reaches())) or "nothing"
    found = cycles(boxes())
    return "\n".join([
        BEGIN,
        "Generated by `make docs-graph` (`scripts/import_graph.py`) from the code; "
        "`tests/core/test_architecture.py` fails when it is stale. "
        f"`ingest` imports from `archive`: {reach}. "
        f"Import cycles between these boxes: {len(found)}.",
        "",
        mermaid(),
        END,
    ])


def rewritten(text: str) -> str:
    if BEGIN in text and END in text:
        head, _, rest = text.partition(BEGIN)
        _, _, tail = rest.partition(END)
        return head + section() + tail
    return text.rstrip("\n") + "\n\n## Modules and imports\n\n" + section() + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    text = DOC.read_text(encoding="utf-8")
    new = rewritten(text)
    if args.check:
        if new != text:
            print(f"{DOC.relative_to(ROOT)}: the import picture is stale; run make docs-graph")
            return 1
        return 0
    DOC.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
