"""Ingest is linear in a paragraph's length (issue 10, item 7), shown by counted work, not a clock.

A paragraph used to be rebuilt as ``text = join(text, line)`` with a caption check on the whole
text, for every line: each line copied and searched everything before it, and a 400-page paragraph
took 90 s.  Here the work of a whole ingest is counted as the characters handed to ingest's own
functions and scanned by its regular expressions, plus the items of the lists given to
``max``/``min``/``sorted``/``sum``: for a paragraph four times as long it must be about four times
as much, not sixteen.  The incremental joiner (:class:`ingest.layout.Joined`) and the bounded
caption search (:func:`ingest.metadata.split_caption`) must give exactly what the whole-text
versions gave.
"""

from __future__ import annotations

import builtins
import inspect
import re
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ingest
from ingest import extract_document, layout, metadata
from tests import pdfgen

INGEST_DIR = str(Path(ingest.__file__).resolve().parent)
_GENERATOR = inspect.CO_GENERATOR | inspect.CO_COROUTINE | inspect.CO_ASYNC_GENERATOR
#: About one A4 page of the commentary layout's body text (40 lines of 42 ideographs).
CHARS_PER_PAGE = 1700


def one_paragraph_pdf(path: Path, pages: int) -> bytes:
    """A title and one unbroken paragraph running ``pages`` A4 pages (the seed's text, repeated)."""
    seed = "".join(pdfgen.seed_content()["paragraphs"])
    chars = pages * CHARS_PER_PAGE
    text = (seed * (chars // len(seed) + 1))[:chars]
    return pdfgen.commentary_pdf(path, title="長段落測試", paragraphs=[text]).read_bytes()


# -- counting work --------------------------------------------------------------------------


class _Work:
    def __init__(self) -> None:
        self.total = 0


class _CountingPattern:
    """A compiled pattern that adds the length of every text it scans to ``work``."""

    def __init__(self, pattern: re.Pattern, work: _Work) -> None:
        self._pattern = pattern
        self._work = work

    def _scan(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> None:
        self._work.total += max(0, min(endpos, len(string)) - pos)

    def search(self, string, *args, **kwargs):
        self._scan(string, *args, **kwargs)
        return self._pattern.search(string, *args, **kwargs)

    def match(self, string, *args, **kwargs):
        self._scan(string, *args, **kwargs)
        return self._pattern.match(string, *args, **kwargs)

    def fullmatch(self, string, *args, **kwargs):
        self._scan(string, *args, **kwargs)
        return self._pattern.fullmatch(string, *args, **kwargs)

    def findall(self, string, *args, **kwargs):
        self._scan(string, *args, **kwargs)
        return self._pattern.findall(string, *args, **kwargs)

    def finditer(self, string, *args, **kwargs):
        self._scan(string, *args, **kwargs)
        return self._pattern.finditer(string, *args, **kwargs)

    def split(self, string, *args, **kwargs):
        self._scan(string)
        return self._pattern.split(string, *args, **kwargs)

    def sub(self, repl, string, *args, **kwargs):
        self._scan(string)
        return self._pattern.sub(repl, string, *args, **kwargs)

    def subn(self, repl, string, *args, **kwargs):
        self._scan(string)
        return self._pattern.subn(repl, string, *args, **kwargs)

    def __getattr__(self, name: str):
        return getattr(self._pattern, name)


def _counting_builtin(name: str, work: _Work):
    real = getattr(builtins, name)

    def counted(*args, **kwargs):
        if len(args) == 1 and isinstance(args[0], list | tuple | set | dict):
            work.total += len(args[0])
        else:
            work.total += len(args)
        return real(*args, **kwargs)

    return counted


def _ingest_modules() -> list:
    return [m for name, m in sorted(sys.modules.items())
            if (name == "ingest" or name.startswith("ingest.")) and getattr(m, "__file__", None)]


def counted_work(run, monkeypatch: pytest.MonkeyPatch):
    """``run()`` and its work (see the module docstring)."""
    work = _Work()
    with monkeypatch.context() as patch:
        for module in _ingest_modules():
            for attr, value in list(vars(module).items()):
                if isinstance(value, re.Pattern):
                    patch.setattr(module, attr, _CountingPattern(value, work))
            for name in ("max", "min", "sorted", "sum"):
                patch.setattr(module, name, _counting_builtin(name, work), raising=False)

        def profile(frame, event, _arg):
            code = frame.f_code
            if event != "call" or code.co_flags & _GENERATOR or not code.co_filename.startswith(INGEST_DIR):
                return
            for name in code.co_varnames[:code.co_argcount + code.co_kwonlyargcount]:
                value = frame.f_locals.get(name)
                if isinstance(value, str | list | tuple):
                    work.total += len(value)

        sys.setprofile(profile)
        try:
            result = run()
        finally:
            sys.setprofile(None)
    return result, work.total


def test_the_work_of_a_paragraph_is_linear_in_its_length(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """A whole ingest of four times the pages of one paragraph: about four times the work
    (it was 13.6 times)."""
    work = {}
    for pages in (3, 12):
        data = one_paragraph_pdf(tmp_path / f"{pages}.pdf", pages)
        doc, work[pages] = counted_work(lambda data=data: extract_document(data), monkeypatch)
        assert [b.type for b in doc.blocks] == ["title", "paragraph"]
    assert work[12] / work[3] <= 4.5, f"work {work[3]} for 3 pages, {work[12]} for 12: {work[12] / work[3]:.1f}x"


def _ideographs() -> str:
    """The seed's ideographs and commas: text whose every line fills the measure, no sentence end."""
    text = "".join(pdfgen.seed_content()["paragraphs"])
    return "".join(ch for ch in text if layout.is_cjk(ch) and ch not in "。！？；：「」（）")


def _paragraph_lines(pages: int, placed: bool) -> list[list[layout.Line]]:
    """One paragraph of 40 lines a page, 40 ideographs a line: placed without glyph boxes (pypdf's
    text, PDFium's line boxes) or not placed at all (rotated or damaged pages)."""
    seed = _ideographs()
    text = seed * (pages * 1600 // len(seed) + 1)
    out = []
    for page in range(1, pages + 1):
        lines = []
        for i in range(40):
            k = ((page - 1) * 40 + i) * 40
            if placed:
                lines.append(layout.Line(text[k:k + 40], page, 56.0, 536.0, 66.0 + 18 * i, 12.0))
            else:
                lines.append(layout.Line(text[k:k + 40], page))
        out.append(lines)
    return out


@pytest.mark.parametrize("placed", [True, False], ids=["placed-by-lines", "text-only"])
def test_the_layout_of_a_paragraph_without_glyph_boxes_is_linear(placed: bool,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The other paths through the paragraph rules (widths estimated from the text): the same."""
    def run(pages: int):
        kept, running = layout.strip_furniture(_paragraph_lines(pages, placed))
        return layout.type_blocks(layout.build_paragraphs(kept), running)

    work = {}
    for pages in (10, 40):
        typed, work[pages] = counted_work(lambda pages=pages: run(pages), monkeypatch)
        assert [(b.type, len(b.text)) for b in typed.blocks] == [("paragraph", pages * 1600)]
    assert work[40] / work[10] <= 4.5, f"work {work[10]} for 10 pages, {work[40]} for 40: {work[40] / work[10]:.1f}x"


def test_a_long_paragraph_comes_back_whole(tmp_path: Path) -> None:
    pages = 30
    doc = extract_document(one_paragraph_pdf(tmp_path / "long.pdf", pages))
    seed = "".join(pdfgen.seed_content()["paragraphs"])
    chars = pages * CHARS_PER_PAGE
    assert [b.type for b in doc.blocks] == ["title", "paragraph"]
    assert doc.blocks[1].text == (seed * (chars // len(seed) + 1))[:chars]
    assert doc.blocks[1].pages == list(range(1, doc.page_count + 1))


# -- the same text as the whole-text versions -------------------------------------------------

#: split_caption as it was: one regular expression searched over the whole text.
_WHOLE_CREDIT = re.compile(
    r"[（(]\s*(?:圖片來源|图片来源|圖片提供|图片提供|照片來源|照片来源|圖片|图片|圖源|图源|圖|图|Photo(?:\s*credit)?|Image|Source)"
    r"\s*[:：／/]\s*(?P<credit>[^）)]*)[）)]\s*$",
    re.IGNORECASE,
)
_URL = re.compile(r"(?:https?://|www\.)[^\s<>()（）「」，。]+")


def whole_text_split_caption(text: str) -> tuple[str, str] | None:
    match = _WHOLE_CREDIT.search(text)
    if not match:
        return None
    credit = match.group("credit").strip().strip("<>").strip()
    url = _URL.search(credit)
    caption = text[: match.start()].strip()
    if not caption or not credit:
        return None
    return caption, (url.group(0).rstrip(".,") if url else credit)


#: Pieces that exercise every rule of the joint and the caption: brackets, credit labels,
#: URL prefixes broken anywhere, hyphens, Latin, CJK and whitespace (a final newline too).
_BITS = ["（", "）", "(", ")", "圖片來源", "圖", "Photo", " credit", "：", ":", "／", "<", ">",
         "http", "s", "://", "www", ".", "/", "x.org", "-", "a", "B", "1", "中", "文。", "，", " ",
         "\n", "\u3000", "「", "」"]
_piece = st.lists(st.sampled_from(_BITS), min_size=0, max_size=6).map("".join)


@settings(max_examples=400, deadline=None)
@given(first=_piece, rest=st.lists(_piece, max_size=12), spaced=st.booleans())
def test_joined_is_join_line_by_line(first: str, rest: list[str], spaced: bool) -> None:
    text = first
    joined = layout.Joined(first)
    for piece in rest:
        text = layout.join(text, piece, spaced)
        joined.add(piece, spaced)
        assert joined.caption == (whole_text_split_caption(text) is not None), text
    assert joined.text == text


@settings(max_examples=400, deadline=None)
@given(text=st.lists(st.sampled_from(_BITS), max_size=14).map("".join))
def test_split_caption_is_the_whole_text_search(text: str) -> None:
    assert metadata.split_caption(text) == whole_text_split_caption(text)


_WHOLE_URL_TAIL = re.compile(r"(?:https?://|www\.)\S*$")


def whole_text_join(a: str, b: str, spaced_latin: bool) -> str:
    """join as it was, to check the refactor into _glue."""
    if not a or not b:
        return a + b
    x, y = a[-1], b[0]
    if x == "-" and len(a) > 1 and a[-2].isalpha() and y.islower():
        return a[:-1] + b
    if _WHOLE_URL_TAIL.search(a) and layout._URL_CONT.match(b) and not layout.is_cjk(y):
        return a + b
    if layout.is_cjk(x) or layout.is_cjk(y):
        if layout.is_cjk(x) and layout.is_cjk(y):
            return a + b
        if (layout._is_han(x) and layout._LATIN_ALNUM.match(y)) or (layout._LATIN_ALNUM.match(x) and layout._is_han(y)):
            return f"{a} {b}" if spaced_latin else a + b
        return a + b
    return f"{a} {b}"


@settings(max_examples=400, deadline=None)
@given(a=_piece, b=_piece, spaced=st.booleans())
def test_join_is_unchanged(a: str, b: str, spaced: bool) -> None:
    assert layout.join(a, b, spaced) == whole_text_join(a, b, spaced)
