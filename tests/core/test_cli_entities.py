"""``archive entity merge|split|list``: a real process on a real instance, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from archive.service import Archive
from tests.pdfgen import commentary_pdf

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "archive.cli", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, env={**os.environ})


def test_merge_list_and_split_from_the_command_line(tmp_path: Path) -> None:
    inst = tmp_path / "i"
    archive = Archive(inst)
    for i, series in enumerate(["國策評論", "國政分析評論"]):
        pdf = commentary_pdf(tmp_path / f"{i}.pdf", title=f"第{i}號評論：區域安全情勢", author="李大同",
                             series=series, date=f"202{i}-02-01",
                             paragraphs=["區域安全情勢近年持續變化，各國的因應策略值得比較分析。"])
        assert archive.ingest_bytes(pdf.read_bytes(), filename=pdf.name).status == "ingested"
    archive.close()
    a = ("--instance", str(inst))

    merged = run(*a, "entity", "merge", "series", "國策評論", "國政分析評論", "--as", "tester")
    assert merged.returncode == 0, merged.stderr
    assert merged.stdout.strip() == "merged series: 國策評論 = 國政分析評論"
    listed = run(*a, "entity", "list", "series")
    assert listed.stdout.startswith("國策評論 = 國政分析評論  (tester, ")
    assert json.loads(run(*a, "entity", "list", "series", "--json").stdout)[0]["names"] == ["國策評論", "國政分析評論"]
    found = json.loads(run(*a, "search", "區域安全", "--json", "--filter", "series=國政分析評論").stdout)
    assert found["total"] == 2 and found["facets"]["series"] == [{"value": "國策評論", "count": 2}]

    split = run(*a, "entity", "split", "series", "國政分析評論")
    assert split.returncode == 0 and split.stdout.strip() == "split series: 國政分析評論"
    assert run(*a, "entity", "list", "series").stdout == ""

    for args, message in [
        (("entity", "merge", "publisher", "甲", "乙"), "archive: unknown kind 'publisher': use author, foundation or series"),
        (("entity", "merge", "series", "國策評論", "沒有這個系列"), "archive: no document has the series '沒有這個系列'"),
        (("entity", "merge", "series", "國策評論"), "archive: a merge needs two names"),
        (("entity", "split", "series", "國策評論"), "archive: series '國策評論' is not merged with another name"),
    ]:
        r = run(*a, *args)
        assert r.returncode != 0 and len(r.stderr.strip().splitlines()) == 1, r.stderr
        assert r.stderr.startswith(message), r.stderr
