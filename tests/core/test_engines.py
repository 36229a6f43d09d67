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

    # --engine builds that engine and records it: the file's other lines stay as they were.
    (inst / "config.toml").write_text('# the archive of the test\nindex_engine = "tantivy"\nsearch_timeout_s = 4.0\n')
    r = run("--instance", str(inst), "reindex", "--engine", "tantivy")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("reindexed 1 documents") and "(tantivy)" in r.stdout
    assert (inst / "config.toml").read_text().splitlines() == [
        "# the archive of the test", 'index_engine = "tantivy"', "search_timeout_s = 4.0"]
    assert os.readlink(inst / "index") != old_target  # a new generation, swapped in
    assert _version(inst).endswith(" tantivy")
    assert _ids(inst, "台灣") == before
    assert run("--instance", str(inst), "check").stdout.strip() == "1 documents, 1 versions: clean"

    # Documents ingested now go into the Tantivy index at once.
    r = run("--instance", str(inst), "ingest", str(pdfs / "more" / "other.pdf"))
    assert r.returncode == 0, r.stderr
    assert len(_ids(inst, "離岸風電")) == 1
    assert run("--instance", str(inst), "check").stdout.strip() == "2 documents, 2 versions: clean"

    # And back with --engine alone: the index is rebuilt, then config.toml says so.
    r = run("--instance", str(inst), "reindex", "--engine", "whoosh")
    assert r.returncode == 0 and "(whoosh)" in r.stdout, r.stderr
    assert (inst / "config.toml").read_text().splitlines() == [
        "# the archive of the test", 'index_engine = "whoosh"', "search_timeout_s = 4.0"]
    assert _version(inst).endswith(" whoosh")
    assert len(_ids(inst, "離岸風電")) == 1 and _ids(inst, "台灣") >= before
    # A plain reindex builds what the configuration names.
    _config(inst, "tantivy")
    assert "built by whoosh" in run("--instance", str(inst), "search", "台灣").stderr
    r = run("--instance", str(inst), "reindex")
    assert r.returncode == 0 and "(tantivy)" in r.stdout


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


@pytest.fixture(scope="module")
def two_archives(tmp_path_factory):
    """The same PDFs ingested into a Whoosh archive and a Tantivy archive (the upload path)."""
    from archive.config import Settings
    from archive.service import Archive
    from tests.pdfgen import commentary_pdf

    folder = tmp_path_factory.mktemp("engine-pdfs")
    specs = [
        ("半導體供應鏈的重組", "李明峻", "遠景論壇", "2023-11-20",
         ["半導體產業政策與晶片出口管制，半導體供應鏈重組。", "臺灣的角色<script>x</script>與美國的盟友。"]),
        ("晶片出口管制", "王美琇", "國策評論", "2022-05-01", ["晶片出口管制衝擊半导体供应链。"]),
        ("颱風季節", "李明峻", "遠景論壇", None, ["颱風季節的農業損失評估，臺灣農業補貼。"]),
    ]
    files = [commentary_pdf(folder / f"{i}.pdf", title=t, author=a, series=s, date=d, paragraphs=p)
            for i, (t, a, s, d, p) in enumerate(specs)]
    out = {}
    for engine in ("whoosh", "tantivy"):
        archive = Archive(tmp_path_factory.mktemp(engine) / "instance", Settings(index_engine=engine))
        for pdf in files:
            assert archive.ingest_bytes(pdf.read_bytes(), filename=pdf.name).status == "ingested"
        out[engine] = archive
    return out


def _neutral(result: dict) -> dict:
    """A search result without what may differ between engines: timing, scores, the order
    within a relevance sort."""
    hits = sorted(({k: v for k, v in h.items() if k != "score"} for h in result["hits"]),
                  key=lambda h: h["id"])
    return {**{k: v for k, v in result.items() if k not in ("took_ms", "hits")}, "hits": hits}


@pytest.mark.parametrize("q, filters", [
    ("半導體", None), ("臺灣", {"author": ["李明峻"]}), ("晶片 OR 颱風", {"year": ["無日期"]}),
    ("半導體 -出口", None), ("date:2023 半導體", None), ("title:晶片", None), ("<script>", None),
    ("不存在的詞", None),
])
def test_the_service_and_the_web_answer_alike_on_both_engines(two_archives, q, filters) -> None:
    from archive.web import create_app

    results = {e: a.search(q, filters=filters) for e, a in two_archives.items()}
    assert _neutral(results["whoosh"]) == _neutral(results["tantivy"])
    for engine, archive in two_archives.items():
        client = create_app({"ARCHIVE": archive, "TESTING": True}).test_client()
        params = {"q": q, **{k: v[0] for k, v in (filters or {}).items()}}
        r = client.get("/search.json", query_string=params)
        assert r.status_code == 200, engine
        web = r.get_json()
        for h in web["hits"]:  # the web adds the marked-up snippet (its own, escaped)
            for p in h["passages"]:
                assert "<script>" not in p.pop("snippet_html")
        assert _neutral(web)["hits"] == _neutral(results[engine])["hits"]
        page = client.get("/", query_string=params)
        assert page.status_code == 200 and b"<script>x</script>" not in page.data


def test_related_documents_on_the_tantivy_engine(two_archives) -> None:
    archive = two_archives["tantivy"]
    first = archive.search("半導體供應鏈")["hits"]
    doc_id = next(h["id"] for h in first if "重組" in h["title"])
    related = archive.more_like_this(doc_id)
    assert related and doc_id not in {h["id"] for h in related}
    assert related[0]["title"] == "晶片出口管制"


def test_merged_names_filter_and_count_alike_on_both_engines(two_archives) -> None:
    """An archivist's merge (applied at query time) gives one facet value and one filter on
    either engine."""
    try:
        for archive in two_archives.values():
            archive.merge_entities("series", ["遠景論壇", "國策評論"], by="test")
        results = {e: a.search("晶片 OR 颱風 OR 半導體", filters={"series": ["國策評論"]})
                   for e, a in two_archives.items()}
        assert _neutral(results["whoosh"]) == _neutral(results["tantivy"])
        assert results["tantivy"]["total"] == 3
        assert results["tantivy"]["facets"]["series"] == [{"value": "遠景論壇", "count": 3}]
    finally:
        for archive in two_archives.values():
            archive.split_entity("series", "國策評論")
