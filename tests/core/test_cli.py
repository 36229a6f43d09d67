"""The ``archive`` command as users and scripts run it: a real process on a real instance."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from archive.service import Archive
from tests.pdfgen import commentary_pdf, seed_pdf

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, env: dict | None = None, stdin: str | None = None, cwd: Path = ROOT):
    return subprocess.run(
        [sys.executable, "-m", "archive.cli", *args],
        cwd=cwd, capture_output=True, text=True, input=stdin, timeout=300,
        env={**os.environ, **(env or {})},
    )


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("pdfs")
    seed_pdf(folder / "seed.pdf")
    sub = folder / "more"
    sub.mkdir()
    commentary_pdf(sub / "other.pdf", title="臺灣的能源轉型", author="王小明", series="國策評論",
                   date="2022-05-01", paragraphs=["臺灣的能源政策正在轉型，離岸風電是重點。"])
    (sub / "notes.txt").write_text("not a pdf, not picked up by folder expansion")
    (folder / "broken.pdf").write_bytes(b"this is not a PDF at all")
    return folder


def test_ingest_prints_a_line_per_file_a_summary_and_exits_1_on_any_failure(tmp_path, pdfs) -> None:
    r = run("--instance", str(tmp_path / "i"), "ingest", str(pdfs))
    assert r.returncode == 1
    lines = r.stdout.strip().splitlines()
    assert len(lines) == 4  # three PDFs found recursively, one summary
    by_file = {Path(line.split(":")[0]).name: line for line in lines[:-1]}
    assert set(by_file) == {"seed.pdf", "other.pdf", "broken.pdf"}
    assert ": ingested " in by_file["seed.pdf"] and ": ingested " in by_file["other.pdf"]
    assert by_file["broken.pdf"].endswith("failed: not a PDF (no %PDF header)")
    assert lines[-1] == "3 files: 2 ingested, 1 failed"
    assert "Traceback" not in r.stderr

    again = run("--instance", str(tmp_path / "i"), "ingest", str(pdfs / "seed.pdf"), str(pdfs / "more"))
    assert again.returncode == 0
    assert again.stdout.strip().splitlines()[-1] == "2 files: 2 unchanged"


def test_instance_comes_from_the_option_then_the_environment_then_cwd(tmp_path, pdfs) -> None:
    env_inst = tmp_path / "from-env"
    assert run("ingest", str(pdfs / "seed.pdf"), env={"ARCHIVE_INSTANCE": str(env_inst)}).returncode == 0
    assert (env_inst / "catalogue.sqlite3").exists()
    opt_inst = tmp_path / "from-option"
    r = run("--instance", str(opt_inst), "list", "--json", env={"ARCHIVE_INSTANCE": str(env_inst)})
    assert json.loads(r.stdout) == []
    work = tmp_path / "cwd"
    work.mkdir()
    env = {"ARCHIVE_INSTANCE": "", "PYTHONPATH": str(ROOT)}
    assert run("ingest", str(pdfs / "seed.pdf"), env=env, cwd=work).returncode == 0
    assert (work / "instance" / "catalogue.sqlite3").exists()


def test_list_and_show_json_give_metadata_with_provenance_and_blocks(tmp_path, pdfs) -> None:
    inst = str(tmp_path / "i")
    run("--instance", inst, "ingest", str(pdfs / "seed.pdf"))
    docs = json.loads(run("--instance", inst, "list", "--json").stdout)
    assert [d["title"] for d in docs] == ["美中 APEC 峰會後的東北亞安保情勢"]
    shown = json.loads(run("--instance", inst, "show", docs[0]["id"], "--json").stdout)
    assert shown["metadata"]["author"] == {"value": "李明峻", "source": "text"}
    assert {b["type"] for b in shown["blocks"]} >= {"title", "heading", "paragraph", "caption", "note", "back_matter"}
    assert all(b["id"].startswith("p-") and b["pages"] for b in shown["blocks"])
    missing = run("--instance", inst, "show", "nosuchdoc")
    assert missing.returncode == 1 and missing.stderr.strip() == "archive: no document nosuchdoc; see archive list"


def test_search_json_from_stdin_prints_one_object_per_query(tmp_path, pdfs) -> None:
    inst = str(tmp_path / "i")
    run("--instance", inst, "ingest", str(pdfs / "seed.pdf"), str(pdfs / "more"))
    r = run("--instance", inst, "search", "--json", "--limit", "5", "-", stdin="习近平\n台湾\n\n不存在的詞\n")
    assert r.returncode == 0, r.stderr
    objs = [json.loads(line) for line in r.stdout.strip().splitlines()]
    assert [o["query"] for o in objs] == ["习近平", "台湾", "不存在的詞"]
    assert [o["total"] for o in objs] == [1, 2, 0]
    hit = objs[0]["hits"][0]
    assert {"id", "title", "score", "passages"} <= hit.keys()
    assert {"id", "page", "snippet"} <= hit["passages"][0].keys()
    assert "習近平" in hit["passages"][0]["snippet"]


def test_user_add_stores_a_hash_and_bad_input_is_one_line(tmp_path) -> None:
    inst = str(tmp_path / "i")
    ok = run("--instance", inst, "user", "add", "archivist", "--password-stdin", stdin="long enough pw\n")
    assert ok.returncode == 0 and run("--instance", inst, "user", "list").stdout.split() == ["archivist"]
    short = run("--instance", inst, "user", "add", "x", "--password-stdin", stdin="short\n")
    assert short.returncode == 1 and short.stderr.startswith("archive: password: at least 12 characters")
    assert len(short.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("name", "password", "says"),
    [
        ("editor", "password1234", "password: refused"),  # common, however long
        ("editor", "qwertyuiopasdf", "password: refused"),  # a keyboard walk
        ("editor", "editor-editor-editor", "password: refused"),  # the name, repeated
        ("editor", "aaaaaaaaaaaaaaaa", "password: refused"),
        ("edi\u200btor", "a long enough passphrase", "user name: no control or invisible"),
        ("edi\u202etor", "a long enough passphrase", "user name: no control or invisible"),
        ("edi\x07tor", "a long enough passphrase", "user name: no control or invisible"),
        ("edi tor", "a long enough passphrase", "user name: no spaces"),
    ],
)
def test_guessable_passwords_and_deceptive_names_are_refused(tmp_path, name, password, says) -> None:
    inst = str(tmp_path / "i")
    r = run("--instance", inst, "user", "add", name, "--password-stdin", stdin=password + "\n")
    assert r.returncode == 1 and says in r.stderr and len(r.stderr.strip().splitlines()) == 1, r
    assert run("--instance", inst, "user", "list").stdout.split() == []


def test_user_add_on_an_existing_name_needs_reset(tmp_path) -> None:
    inst = str(tmp_path / "i")
    first = "first long passphrase here\n"
    assert run("--instance", inst, "user", "add", "editor", "--password-stdin", stdin=first).returncode == 0
    again = run("--instance", inst, "user", "add", "editor", "--password-stdin", stdin="another good passphrase\n")
    assert again.returncode == 1 and "exists; to set a new password use user add --reset" in again.stderr
    assert Archive(tmp_path / "i").verify_user("editor", first.strip())  # unchanged
    reset = run("--instance", inst, "user", "add", "editor", "--reset", "--password-stdin",
                stdin="another good passphrase\n")
    assert reset.returncode == 0 and "password reset" in reset.stdout
    assert Archive(tmp_path / "i").verify_user("editor", "another good passphrase")
    nobody = run("--instance", inst, "user", "add", "nobody", "--reset", "--password-stdin", stdin=first)
    assert nobody.returncode == 1 and "no user nobody to reset" in nobody.stderr


def test_check_and_reindex_report_in_one_line_each(tmp_path, pdfs) -> None:
    inst = str(tmp_path / "i")
    run("--instance", inst, "ingest", str(pdfs / "seed.pdf"))
    r = run("--instance", inst, "reindex")
    assert r.returncode == 0 and r.stdout.startswith("reindexed 1 documents")
    c = run("--instance", inst, "check")
    assert c.returncode == 0 and c.stdout.strip() == "1 documents, 1 versions: clean"


def test_an_index_from_an_older_schema_is_rebuilt_before_serving(tmp_path, pdfs) -> None:
    """After an upgrade changes the index schema, search says to reindex; ``archive sample``
    and ``archive serve`` rebuild it from the archive first, saying so."""
    inst = tmp_path / "i"
    run("--instance", str(inst), "ingest", str(pdfs / "seed.pdf"))
    (inst / "index" / "SCHEMA_VERSION").write_text("1")
    stale = run("--instance", str(inst), "search", "台灣")
    assert stale.returncode != 0 and "run archive reindex" in stale.stderr
    r = run("--instance", str(inst), "sample")
    assert r.returncode == 0, r.stderr
    assert "has schema version 1, this program needs" in r.stderr
    assert "rebuilt it from the archive: 1 documents" in r.stderr
    assert "already has documents" in r.stdout
    assert run("--instance", str(inst), "search", "台灣").returncode == 0
    again = run("--instance", str(inst), "sample")
    assert "rebuilt" not in again.stderr and "Traceback" not in again.stderr


def test_a_bad_config_file_is_named_in_the_error(tmp_path) -> None:
    inst = tmp_path / "i"
    inst.mkdir()
    (inst / "config.toml").write_text("max_upload_mb = 10\nnot_a_setting = 1\n")
    r = run("--instance", str(inst), "list")
    assert r.returncode == 2 and "config.toml: unknown setting 'not_a_setting'" in r.stderr
    assert "Traceback" not in r.stderr


def test_edit_corrects_fields_with_provenance_and_refuses_bad_values(tmp_path, pdfs) -> None:
    inst = str(tmp_path / "i")
    run("--instance", inst, "ingest", str(pdfs / "more" / "other.pdf"))
    doc_id = json.loads(run("--instance", inst, "list", "--json").stdout)[0]["id"]
    r = run("--instance", inst, "edit", doc_id, "--set", "title=能源轉型的下一步",
            "--set", "date=民國111年6月1日", "--unset", "series", "--as", "editor")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [f"{doc_id}: title = '能源轉型的下一步'",
                                     f"{doc_id}: date = '2022-06-01'", f"{doc_id}: series removed"]
    shown = json.loads(run("--instance", inst, "show", doc_id, "--json").stdout)
    assert shown["metadata"]["title"] == {"value": "能源轉型的下一步", "source": "archivist"}
    assert "series" not in shown["metadata"]
    assert shown["edits"][0]["user"] == "editor" and {e["old_value"] for e in shown["edits"]} == {
        "臺灣的能源轉型", "2022-05-01", "國策評論"}
    found = run("--instance", inst, "search", "下一步", "--json", stdin=None)
    assert json.loads(found.stdout)["total"] == 1
    for args, says in ((("--set", "date=someday"), "date: 'someday' is not a date"),
                       (("--set", "pages=3"), "pages: not an editable field"),
                       (("--set", "title"), "write FIELD=VALUE"),
                       ((), "nothing to change")):
        bad = run("--instance", inst, "edit", doc_id, *args)
        assert bad.returncode == 1 and says in bad.stderr and len(bad.stderr.strip().splitlines()) == 1
    assert run("--instance", inst, "edit", "nosuchdoc", "--set", "title=x").returncode == 1


def test_cite_prints_the_styles_and_files_the_web_serves(tmp_path, pdfs) -> None:
    import bibtexparser

    inst = str(tmp_path / "i")
    (tmp_path / "i").mkdir()
    (tmp_path / "i" / "config.toml").write_text('base_url = "https://archive.example.org"\n')
    run("--instance", inst, "ingest", str(pdfs / "more" / "other.pdf"))
    doc_id = json.loads(run("--instance", inst, "list", "--json").stdout)[0]["id"]
    bib = run("--instance", inst, "cite", doc_id, "--format", "bibtex")
    assert bib.returncode == 0, bib.stderr
    (entry,) = bibtexparser.parse_string(bib.stdout).entries
    assert entry.fields_dict["title"].value == "臺灣的能源轉型"
    assert entry.fields_dict["url"].value == f"https://archive.example.org/d/{doc_id}"
    chicago = run("--instance", inst, "cite", doc_id, "--format", "chicago", "--version", "1")
    assert chicago.returncode == 0 and "臺灣的能源轉型" in chicago.stdout
    view = json.loads(run("--instance", inst, "show", doc_id, "--json").stdout)
    passage = view["blocks"][-1]["id"]
    ris = run("--instance", inst, "cite", passage, "--format", "ris")
    assert ris.returncode == 0 and f"https://archive.example.org/p/{passage}" in ris.stdout
    missing = run("--instance", inst, "cite", "nope", "--format", "apa")
    assert missing.returncode == 1 and missing.stderr.strip() == (
        "archive: no document or passage nope; see archive list")


def test_search_that_finds_nothing_says_how_to_loosen_it(tmp_path, pdfs) -> None:
    inst = str(tmp_path / "i")
    run("--instance", inst, "ingest", str(pdfs / "seed.pdf"))
    r = run("--instance", inst, "search", '"離岸風電 不存在的詞"', "--no-bridge")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].startswith("0 result(s)")
    assert "  try: search regional variants too (without --no-bridge)" in lines
    assert "  try: without the phrase: 離岸風電 不存在的詞" in lines
    assert "  try: only: 離岸風電" in lines


def test_alias_commands_change_what_search_bridges(tmp_path, pdfs) -> None:
    inst = str(tmp_path / "i")
    assert run("--instance", inst, "ingest", str(pdfs / "more" / "other.pdf")).returncode == 0
    before = json.loads(run("--instance", inst, "search", "離岸電廠", "--json").stdout)
    assert not before["also_searched"]
    added = run("--instance", inst, "alias", "add", "離岸電廠", "離岸風電")
    assert added.returncode == 0 and "alias added: 離岸電廠 = 離岸風電" in added.stdout
    after = json.loads(run("--instance", inst, "search", "離岸電廠", "--json").stdout)
    assert after["total"] == 1 and after["also_searched"][0]["also"] == ["離岸風電"]
    listed = json.loads(run("--instance", inst, "alias", "list", "--json").stdout)
    assert listed["added"][0]["forms"] == ["離岸電廠", "離岸風電"]
    removed = run("--instance", inst, "alias", "remove", "離岸電廠", "離岸風電")
    assert removed.returncode == 0
    assert not json.loads(run("--instance", inst, "search", "離岸電廠", "--json").stdout)["also_searched"]
    bad = run("--instance", inst, "alias", "add", "習近平", "习近平")
    assert bad.returncode == 1 and bad.stderr.count("\n") == 1 and "two forms" in bad.stderr
    learned = run("--instance", inst, "alias", "learn")
    assert learned.returncode == 0 and "aliases learned" in learned.stdout
