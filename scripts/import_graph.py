"""The module picture in docs/architecture.md, generated from the imports so it stays true.

Reads every module of ``archive/`` and ``ingest/`` with the stdlib ``ast`` (no
import runs), resolves relative imports, and writes a Mermaid graph of which
module imports which (imports inside functions included: they bind the same)
between two markers in the doc.  ``make docs-graph`` writes it;
``tests/core/test_architecture.py`` checks that the doc equals what this
generates now, that ``ingest`` takes from ``archive`` only ``archive.models``
and ``archive.errors``, and that the two packages import each other in one
direction only.

    python scripts/import_graph.py                 # print the block
    python scripts/import_graph.py --write docs/architecture.md
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("archive", "ingest")
START = "<!-- import-graph:start (make docs-graph writes this block; do not edit) -->"
END = "<!-- import-graph:end -->"

Graph = dict[str, set[str]]


def module_files(root: Path = ROOT) -> dict[str, Path]:
    """Every module of the packages by its dotted name (``archive.index.bulk``)."""
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _resolve(name: str, modules: set[str]) -> str | None:
    """The longest module of ours that ``name`` is or lies in (``archive.index.X`` → ``archive.index``)."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def imports_of(module: str, path: Path, modules: set[str]) -> set[str]:
    """The project modules ``module`` imports, anywhere in its file."""
    is_package = path.name == "__init__.py"
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")
                anchor = anchor if is_package else anchor[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            # `from archive import analysis` imports the module archive.analysis
            names = [f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in modules] or [base]
        for name in names:
            target = _resolve(name, modules)
            if target is not None and target != module:
                found.add(target)
    return found


def import_graph(root: Path = ROOT) -> Graph:
    """Module → the project modules it imports."""
    files = module_files(root)
    names = set(files)
    return {module: imports_of(module, path, names) for module, path in files.items()}


def package_of(module: str) -> str:
    return module.partition(".")[0]


def cross_imports(graph: Graph, source: str, target: str) -> set[str]:
    """The modules of package ``target`` that modules of package ``source`` import."""
    return {dep for mod, deps in graph.items() if package_of(mod) == source
            for dep in deps if package_of(dep) == target}


def render(graph: Graph) -> str:
    """The Mermaid block (with its markers): one subgraph a package, one edge an import."""
    def node(module: str) -> str:
        return "m_" + module.replace(".", "_")

    lines = [START, "```mermaid", "graph LR"]
    for package in PACKAGES:
        lines.append(f"  subgraph {package}")
        for module in sorted(m for m in graph if package_of(m) == package):
            lines.append(f'    {node(module)}["{module}"]')
        lines.append("  end")
    for module in sorted(graph):
        for dep in sorted(graph[module]):
            lines.append(f"  {node(module)} --> {node(dep)}")
    lines += ["```", END]
    return "\n".join(lines)


def current_block(text: str) -> str | None:
    """The block between the markers in the doc's ``text``, markers included."""
    start, end = text.find(START), text.find(END)
    if start < 0 or end < start:
        return None
    return text[start : end + len(END)]


def write(doc: Path, block: str) -> bool:
    """Put ``block`` between the markers of ``doc`` (appended if it has none); True if it changed."""
    text = doc.read_text(encoding="utf-8")
    old = current_block(text)
    new = text.replace(old, block) if old is not None else text.rstrip("\n") + "\n\n" + block + "\n"
    if new != text:
        doc.write_text(new, encoding="utf-8")
    return new != text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", type=Path, metavar="DOC", help="write the block into DOC")
    args = parser.parse_args(argv)
    block = render(import_graph())
    if args.write is None:
        print(block)
        return 0
    changed = write(args.write, block)
    print(f"{args.write}: {'updated' if changed else 'already current'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
