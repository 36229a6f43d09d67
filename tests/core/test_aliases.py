"""The archive's own aliases: learned from glosses, added and removed by archivists, shared
by every process through instance/aliases.json."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive import analysis, vocabulary
from archive.aliases import AliasError, AliasStore
from archive.query import parse


@pytest.fixture(autouse=True)
def _published_tables_after() -> object:
    yield
    vocabulary.install(None)


def _also(q: str) -> set[str]:
    return {analysis.fold(x) for a in parse(q).also_searched for x in a["also"]}


def test_learned_aliases_bridge_the_query(tmp_path: Path) -> None:
    store = AliasStore(tmp_path)
    learned = store.learn(["美國眾議院議長裴洛西(Nancy Pelosi)訪台。", "众议院议长佩洛西（Nancy Pelosi）抵达台北。"])
    assert [a.gloss for a in learned] == ["Nancy Pelosi"]
    assert analysis.fold("裴洛西") in _also("佩洛西") and analysis.fold("佩洛西") in _also("Pelosi")


def test_an_archivist_adds_and_removes(tmp_path: Path) -> None:
    store = AliasStore(tmp_path)
    store.add(["朝鲜", "北韓"])
    assert analysis.fold("北韓") in _also("朝鲜")
    store.remove("特朗普", "川普")
    assert analysis.fold("川普") not in _also("特朗普")
    other = AliasStore(tmp_path)  # another process reading the same file
    vocabulary.install(None)
    other.refresh()
    assert analysis.fold("北韓") in _also("朝鲜") and analysis.fold("川普") not in _also("特朗普")
    store.add(["特朗普", "川普"])  # adding the pair again undoes the removal
    assert analysis.fold("川普") in _also("特朗普")


def test_bad_aliases_are_refused_with_one_line(tmp_path: Path) -> None:
    store = AliasStore(tmp_path)
    with pytest.raises(AliasError, match="two forms"):
        store.add(["習近平", "习近平"])  # a script difference: folding already bridges it
    with pytest.raises(AliasError, match="too long"):
        store.add(["甲" * 50, "乙"])


def test_a_damaged_file_leaves_the_published_tables(tmp_path: Path) -> None:
    (tmp_path / "aliases.json").write_text("{not json", encoding="utf-8")
    AliasStore(tmp_path).refresh()
    assert analysis.fold("川普") in _also("特朗普")
