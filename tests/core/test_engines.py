"""Choosing the index engine: ``index_engine`` in config.toml, ``archive reindex --engine``,
the atomic swap between engines, and the one-line errors of a mismatch (real processes on a
real instance)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.core.test_cli import pdfs, run  # noqa: F401  (pdfs: the module fixture)


def _config(inst: Path, engine: str) -> None:
    (inst / "config.toml").write_text(f'index_engine = "{engine}"\n')


def _ids(inst: Path, q: str) -> set[str]:
    r = run("--instance", str(inst), "search", q, "--json")
    assert r.returncode == 0, r.stderr
    return {h["id"] for h in json.loads(r.stdout)["hits"]}


def _version(inst: Path) -> str:
    return (inst / "index" / "SCHEMA_VERSION").read_text()


def test_reindex_switches_engines_atomically_and_a_mismatch_is_one_line(tmp_path, pdfs) -> None:  # noqa: F811
    inst = tmp_path / "i"
    assert run("--instance", str(inst), "ingest", str(pdfs / "seed.pdf")).returncode == 0
    assert _version(inst).endswith(" whoosh")
    before = _ids(inst, "台灣")
    assert before
    old_target = os.readlink(inst / "index")

    # The configuration names the other engine: searching says what to do, in one line.
    _config(inst, "tantivy")
    r = run("--instance", str(inst), "search", "台灣")
    assert r.returncode != 0 and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert "built by whoosh" in r.stderr and "run archive reindex" in r.stderr

    # --engine must be the configured one (an index of the other would be refused at once).
    r = run("--instance", str(inst), "reindex", "--engine", "whoosh")
    assert r.returncode != 0 and len(r.stderr.strip().splitlines()) == 1
    assert "index_engine = 'tantivy'" in r.stderr and "Traceback" not in r.stderr
    assert os.readlink(inst / "index") == old_target  # refused before touching anything

    r = run("--instance", str(inst), "reindex", "--engine", "tantivy")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("reindexed 1 documents") and "(tantivy)" in r.stdout
    assert os.readlink(inst / "index") != old_target  # a new generation, swapped in
    assert _version(inst).endswith(" tantivy")
    assert _ids(inst, "台灣") == before
    assert run("--instance", str(inst), "check").stdout.strip() == "1 documents, 1 versions: clean"

    # Documents ingested now go into the Tantivy index at once.
    r = run("--instance", str(inst), "ingest", str(pdfs / "more" / "other.pdf"))
    assert r.returncode == 0, r.stderr
    assert len(_ids(inst, "離岸風電")) == 1
    assert run("--instance", str(inst), "check").stdout.strip() == "2 documents, 2 versions: clean"

    # And back: the configured engine is what a plain reindex builds.
    _config(inst, "whoosh")
    assert "built by tantivy" in run("--instance", str(inst), "search", "台灣").stderr
    r = run("--instance", str(inst), "reindex")
    assert r.returncode == 0 and "(whoosh)" in r.stdout
    assert len(_ids(inst, "離岸風電")) == 1 and _ids(inst, "台灣") >= before


def test_an_unknown_engine_in_the_config_is_named(tmp_path) -> None:
    inst = tmp_path / "i"
    inst.mkdir()
    (inst / "config.toml").write_text('index_engine = "lucene"\n')
    r = run("--instance", str(inst), "list")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "index_engine must be one of 'whoosh', 'tantivy', not 'lucene'" in r.stderr


def test_a_new_archive_gets_the_configured_engine(tmp_path, pdfs) -> None:  # noqa: F811
    inst = tmp_path / "i"
    inst.mkdir()
    _config(inst, "tantivy")
    r = run("--instance", str(inst), "ingest", str(pdfs / "seed.pdf"))
    assert r.returncode == 0, r.stderr
    assert _version(inst).endswith(" tantivy")
    assert _ids(inst, "台灣")


@pytest.mark.parametrize("engine", ["whoosh", "tantivy"])
def test_a_damaged_index_file_is_found_by_check_and_repaired(tmp_path, pdfs, engine) -> None:  # noqa: F811
    inst = tmp_path / "i"
    inst.mkdir()
    _config(inst, engine)
    assert run("--instance", str(inst), "ingest", str(pdfs / "seed.pdf")).returncode == 0
    live = (inst / "index").resolve()
    victim = max((p for p in live.iterdir() if p.is_file() and not p.name.startswith(".")
                  and p.suffix not in (".json", "") and p.name != "SCHEMA_VERSION"),
                 key=lambda p: p.stat().st_size)
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0xFF
    victim.write_bytes(bytes(data))
    r = run("--instance", str(inst), "check")
    assert r.returncode != 0 and "index" in r.stdout
    assert run("--instance", str(inst), "check", "--repair").returncode == 0
    assert run("--instance", str(inst), "check").stdout.strip() == "1 documents, 1 versions: clean"
    assert _version(inst).endswith(f" {engine}")
