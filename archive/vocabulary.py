"""Names and terms across the two vocabularies: 特朗普 and 川普, 计算机 and 電腦.

Script folding (:mod:`archive.analysis`) makes 習近平 and 习近平 one term; it cannot
make 特朗普 and 川普 one, because they are different words.  This module holds the
tables that bridge such pairs, in both directions:

* **OpenCC's Taiwan phrase tables** (``TWPhrases``): software vocabulary (软件 → 軟體);
* **MediaWiki's language-variant tables** as the ``zhconv`` package ships them
  (``zh2TW``, ``zh2HK``, ``zh2CN``): transliterated names (特朗普 → 川普, 奥巴马 →
  歐巴馬) and regional terms (三藩市 → 舊金山);
* **aliases learned from the archive's own text**: a name glossed with its original in
  parentheses, 裴洛西（Nancy Pelosi）in one document and 佩洛西（Nancy Pelosi）in
  another, makes the two one person (and lets ``Pelosi`` find both); and aliases an
  archivist adds or removes (kept in the catalogue, passed in here).

A pair whose two sides fold to the same text is a script difference, already bridged,
and is left out.  The query parser asks :func:`alternatives` for each term and shows
the user what it also searched, with a way to turn the bridge off.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from archive import analysis

#: Pairs OpenCC's and MediaWiki's tables (these versions) lack, each checked against usage.
EXTRA_PAIRS = [("公元", "西元")]
#: MediaWiki's tables of regional vocabulary (the script tables zh2Hant/zh2Hans are folding's job).
ZHCONV_TABLES = ("zh2TW", "zh2HK", "zh2CN")
#: A term longer than this is never looked up whole or in part (longest known phrase: 12).
MAX_PHRASE = 12

# A Han name (2-8 characters, with an interpunct between the parts of a foreign name),
# then its original in parentheses: Latin letters, spaces, dots, hyphens, apostrophes.
_GLOSS = re.compile(
    r"(?P<han>[\u3400-\u9fff\uf900-\ufaff][\u3400-\u9fff\uf900-\ufaff·‧・．]{1,9})"
    r"\s*[（(]\s*(?P<latin>[A-Z][A-Za-z.'’\- ]{1,58}[A-Za-z.])\s*[)）]"
)
#: Words that end a phrase before a gloss but are not part of the name (美國總統川普(Trump)).
_TITLES = ("總統", "总统", "議長", "议长", "主席", "總理", "总理", "首相", "部長", "部长", "國務卿", "国务卿",
           "參議員", "参议员", "眾議員", "众议员", "大使", "總裁", "总裁", "執行長", "执行长", "教授", "博士",
           "先生", "女士", "發言人", "发言人", "記者", "记者", "作者", "學者", "学者")


def _zhconv_tables() -> dict[str, dict[str, str]]:
    try:
        import zhconv
    except ImportError:  # the bridge is better with it, but search works without it
        return {}
    path = Path(zhconv.__file__).with_name("zhcdict.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    return {name: data.get(name) or {} for name in ZHCONV_TABLES}


def table_pairs() -> Iterator[tuple[str, str]]:
    """Every (one form, other form) pair of the published tables, as they write them."""
    d = analysis.opencc_dictionary_dir()
    for name in ("TWPhrases.txt", "TWPhrasesRev.txt"):
        for line in (d / name).read_text(encoding="utf-8").splitlines():
            key, _, vals = line.partition("\t")
            for v in vals.split():
                yield key, v
    for mapping in _zhconv_tables().values():
        yield from mapping.items()
    yield from EXTRA_PAIRS


@dataclass(frozen=True)
class Alias:
    """Forms of one name or term that the archive treats as one (both directions)."""

    forms: tuple[str, ...]
    source: str = "learned"  # "learned" (from glosses) | "archivist"
    gloss: str = ""  # the original the forms were glossed with (Nancy Pelosi)


@dataclass
class Vocabulary:
    """folded form → the display forms of its equivalents, from the tables and the aliases."""

    table: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: Latin words of a gloss (casefolded) → the Han forms glossed with it (Pelosi → 裴洛西, 佩洛西).
    latin: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def alternatives(self, text: str, limit: int = 4) -> list[str]:
        """Other-vocabulary forms of ``text`` (软件 → 軟體, 特朗普 → 川普), the whole term, or
        the longest known phrase inside it (软件开发 → 軟體开发)."""
        if text.isascii():
            found = list(self.latin.get(text.casefold().strip(), ()))
            return found[:limit]
        f = analysis.fold(text)
        out: list[str] = []
        if f in self.table:
            out.extend(self.table[f])
        elif len(f) <= 4 * MAX_PHRASE:
            best = ""
            for i in range(len(f)):
                for j in range(min(len(f), i + MAX_PHRASE), i + 1, -1):
                    if f[i:j] in self.table and j - i > len(best):
                        best = f[i:j]
                        break
            if best:
                at = f.index(best)
                out.extend(f[:at] + alt + f[at + len(best):] for alt in self.table[best])
        seen = {f}
        unique = []
        for a in out:
            key = analysis.fold(a)
            if key not in seen:
                seen.add(key)
                unique.append(a)
        return unique[:limit]


def _add(table: dict[str, list[str]], a: str, b: str) -> None:
    fa, fb = analysis.fold(a), analysis.fold(b)
    if fa == fb or len(fa) < 2:
        return
    forms = table.setdefault(fa, [])
    if b not in forms:
        forms.append(b)


def build(aliases: Iterable[Alias] = (), *, removed: Iterable[tuple[str, str]] = ()) -> Vocabulary:
    """The vocabulary of the published tables plus ``aliases``, minus the ``removed`` pairs
    (an archivist's "these are not the same")."""
    table: dict[str, list[str]] = {}
    for a, b in _base_pairs():
        _add(table, a, b)
        _add(table, b, a)
    latin: dict[str, list[str]] = {}
    for alias in aliases:
        for a in alias.forms:
            for b in alias.forms:
                if a != b:
                    _add(table, a, b)
        for word in _latin_keys(alias.gloss):
            names = latin.setdefault(word, [])
            names.extend(f for f in alias.forms if f not in names and not f.isascii())
    for a, b in removed:
        for x, y in ((a, b), (b, a)):
            forms = table.get(analysis.fold(x))
            if forms and y in forms:
                forms.remove(y)
    return Vocabulary({k: tuple(v) for k, v in table.items() if v}, {k: tuple(v) for k, v in latin.items()})


@functools.cache
def _base_pairs() -> tuple[tuple[str, str], ...]:
    return tuple(table_pairs())


@functools.cache
def published() -> Vocabulary:
    """The published tables alone (no learned or archivist aliases)."""
    return build()


_installed: Vocabulary | None = None


def install(vocab: Vocabulary | None) -> None:
    """Make ``vocab`` (tables plus this archive's aliases) what the query parser bridges with;
    None goes back to the published tables."""
    global _installed
    _installed = vocab


def current() -> Vocabulary:
    """The vocabulary the query parser uses now."""
    return _installed if _installed is not None else published()


# --------------------------------------------------------------------------- learning


def _latin_keys(gloss: str) -> list[str]:
    """The full gloss and its surname-like last word, casefolded (Nancy Pelosi → both)."""
    gloss = " ".join(gloss.replace("’", "'").split()).strip(" .")
    if not gloss:
        return []
    words = gloss.split(" ")
    keys = [gloss.casefold()]
    if len(words) > 1 and len(words[-1]) >= 3:
        keys.append(words[-1].casefold())
    return keys


#: Characters that end the words before a name (宣布訪台的裴洛西): the name starts after them.
_BEFORE_NAME = re.compile("[的在與与和及對对向是了由為为將将被讓让但說说之以於于從从等曾已即並并指稱称]")
#: A name glossed with its original is short: a transliterated surname (川普, 裴洛西, 賀錦麗)
#: or a full name joined by interpuncts (南希·佩洛西).  Anything longer is a phrase.
_MAX_NAME = 4


#: Last characters of the titles that stand before names (部長, 財長, 議員, 總統, 主席, 國務卿,
#: 大使, 總裁, 教授, 首相, 總理): a name after one starts after it.
_TITLE_END = set("長长員员統统席卿使裁授相理")
#: A Latin original that is a person's name: capitalised words, with the usual particles.
_NAME_WORD = re.compile(r"^(?:[A-Z][A-Za-z.'’\-]*|de|da|di|van|von|der|den|bin|al|la|le|du)$")


def _name(han: str) -> str | None:
    """The name at the end of the Han run before a gloss, or None when it cannot be told."""
    han = _BEFORE_NAME.split(han)[-1]
    for title in _TITLES:
        if title in han[:-1]:
            han = han[han.rindex(title) + len(title):]
    cut = max((i for i in range(1, len(han) - 2) if han[i] in _TITLE_END), default=None)
    if cut is not None:
        han = han[cut + 1:]
    if any(mark in han for mark in "·‧・．"):
        return han if 3 <= len(han) <= 12 else None
    return han if 2 <= len(han) <= _MAX_NAME else None


def glosses(text: str) -> Iterator[tuple[str, str]]:
    """(Han name, Latin original) for each name glossed in parentheses in ``text``."""
    for m in _GLOSS.finditer(unicodedata.normalize("NFC", text)):
        latin = " ".join(m.group("latin").split())
        han = _name(m.group("han"))
        words = latin.split(" ")
        if han is None or len(latin.replace(".", "").replace(" ", "")) < 3 or latin.isupper():
            continue  # an acronym (WTO) glosses an organisation's name, not a person's
        if len(words) > 4 or not all(_NAME_WORD.match(w) for w in words):
            continue  # a phrase (Panel Discussion on Trade Policy), not a name
        yield han, latin


def learn(texts: Iterable[str], *, min_forms: int = 2) -> list[Alias]:
    """Aliases from glosses across ``texts``: Han forms glossed with one Latin original.

    A Latin original glossed by ``min_forms`` or more forms that do not fold to one text
    makes an alias (裴洛西 and 佩洛西 for Nancy Pelosi).  When one Han form is glossed
    with several originals, each original keeps its own group.
    """
    by_gloss: dict[str, dict[str, str]] = {}
    shown: dict[str, str] = {}
    for text in texts:
        for han, latin in glosses(text):
            key = latin.casefold()
            shown.setdefault(key, latin)
            by_gloss.setdefault(key, {}).setdefault(analysis.fold(han), han)
    out = []
    for key, forms in sorted(by_gloss.items()):
        if len(forms) >= min_forms:
            out.append(Alias(tuple(sorted(forms.values())), "learned", shown[key]))
    return out
