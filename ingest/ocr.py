"""OCR for the pages a PDF has no usable text for: PDFium renders, Tesseract reads, layout rebuilds.

A page is OCR'd when its text layer is missing (a scan) or fails the quality
gate (no usable ToUnicode map, private-use runs, Latin junk where the glyphs
are CJK); pages with good text keep it, so one document can mix both.  The
page image is the scan's own pixels (or a grey rendering at :data:`DPI`),
scaled so its lines are as high as Tesseract's models read best
(:mod:`ingest.ocrimage`), and read by the ``tesseract`` command (Debian's
Tesseract 5) with its tab-separated output, which gives every word its box and
confidence; the boxes of a skewed scan are turned straight and become line
segments for :func:`ingest.geometry.reading_order`, so OCR text gets columns,
paragraphs and headings from the same rules as born-digital text.

Script: each model reads the other script as its own (the Traditional model
reads 关系 as 關係, confidently), so a sample of the page's lines is read with
both and the script is the one whose model is surer of the words that differ
between the two scripts (OpenCC's tables say which); the page is then read with
that model, and a Simplified page that quotes with corner brackets with the
Traditional model too, for its brackets (:mod:`ingest.ocrmerge`).  When the
sample cannot tell, the whole page is read with both.  Orientation: a page
whose reading is poor is tried turned a quarter, a half and three quarters, and
the best turn is kept.  Limits: each Tesseract run has a wall-clock timeout; a
page that times out or reads below :data:`MIN_CONFIDENCE` is left out with its
reason (the document says which pages are missing).

Why one module of about 600 lines: Tesseract runs, its TSV parsing, the
script sample, the turn/script choice, the rereading of unsure lines and the
punctuation repair form one pipeline around one external program, each step
only used by the next (the image and the bracket merge, which need no
Tesseract, are their own modules).
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import ocrimage, ocrmerge
from .chars import HAN
from .geometry import TextLine, _Seg, reading_order
from .normalize import is_cjk

#: Rendering resolution for OCR (dots per inch); see the OCR benchmark for the choice.
DPI = 300
#: A scan between these resolutions is read at its own (see :func:`render_dpi`).
MIN_SCAN_DPI, MAX_SCAN_DPI = 150, 600
#: A page whose words read below this mean confidence (0-100) is not kept as text.
MIN_CONFIDENCE = 45.0
#: Below this mean confidence a page is also tried turned.
TRY_TURNS_BELOW = 70.0
#: A Latin word read below this confidence in a page of Chinese is often the English model's guess
#: at ideographs (月印尼峇里島 as "AEE SHES", confidences 41 and 56, in a line of 90s): its line is
#: read again with the script's model alone.
DOUBTFUL_LATIN = 60.0
_LATIN = re.compile("[A-Za-z]")
#: Seconds one Tesseract run may take.
PAGE_TIMEOUT = 120.0
TRADITIONAL, SIMPLIFIED = "chi_tra+eng", "chi_sim+eng"
#: Columns set top to bottom, right to left (there is no vertical English model).
VERTICAL_TRADITIONAL, VERTICAL_SIMPLIFIED = "chi_tra_vert", "chi_sim_vert"


class OcrUnavailable(RuntimeError):
    """Tesseract or its Chinese models are not installed."""


@dataclass
class OcrPage:
    """One page read by Tesseract: its lines placed as layout wants them, and how sure it was."""

    lines: list[TextLine]
    text: str
    confidence: float  # mean word confidence, 0-100
    languages: str  # the Tesseract models that read it
    turned: int = 0  # degrees the page image was turned to read it
    vertical: bool = False  # read with a vertical model (columns top to bottom, right to left)
    script_confidence: float = 0.0  # mean confidence of the words that differ between the scripts
    line_confidence: list[tuple[str, float]] = field(default_factory=list)  # (line text, confidence)
    doubtful: list[str] = field(default_factory=list)  # Tesseract's lines with a Latin word it was unsure of


@dataclass
class OcrSettings:
    dpi: int = DPI
    page_timeout: float = PAGE_TIMEOUT
    min_confidence: float = MIN_CONFIDENCE
    languages: str | None = None  # force the models (e.g. "chi_sim+eng"); None: choose per page


@functools.cache
def _models() -> frozenset[str]:
    exe = shutil.which("tesseract")
    if not exe:
        return frozenset()
    try:
        out = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    return frozenset(out.split()[1:])  # (the first line says where the models are)


def available() -> bool:
    """Is the ``tesseract`` command there with both Chinese models?"""
    return {"chi_tra", "chi_sim", "eng"} <= _models()


def vertical_available() -> bool:
    """Are Tesseract's models for vertical Chinese there (Debian's ``tesseract-ocr-chi-*-vert``)?"""
    return {VERTICAL_TRADITIONAL, VERTICAL_SIMPLIFIED} <= _models()


def _tesseract(image: Path, languages: str, dpi: float, timeout: float, psm: int | None = None) -> str:
    env = dict(os.environ, OMP_THREAD_LIMIT="1")  # one core per page: the pool runs pages side by side
    layout = ["--psm", str(psm)] if psm is not None else []
    try:
        done = subprocess.run(["tesseract", str(image), "stdout", "-l", languages, "--dpi", str(round(dpi)), *layout, "tsv"],
                              capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        raise TimeoutError(f"OCR took longer than {timeout:g} s (the per-page limit)") from None
    except OSError as exc:
        raise OcrUnavailable(f"cannot run tesseract: {exc}") from exc
    if done.returncode != 0:
        raise OcrUnavailable(f"tesseract failed: {done.stderr.strip()[:200]}")
    return done.stdout


@dataclass
class _Word:
    text: str
    left: float
    top: float
    right: float
    bottom: float
    conf: float


def _words(tsv: str, scale: float) -> dict[tuple[str, str, str], list[_Word]]:
    """Tesseract's words grouped by line (block, paragraph, line), boxes in points."""
    lines: dict[tuple[str, str, str], list[_Word]] = {}
    for row in tsv.splitlines()[1:]:
        f = row.split("\t")
        if len(f) < 12 or f[0] != "5" or not f[11].strip():
            continue
        try:
            left, top, width, height, conf = (float(v) for v in f[6:11])
        except ValueError:
            continue
        if conf < 0:
            continue
        lines.setdefault((f[2], f[3], f[4]), []).append(
            _Word(f[11].strip(), left * scale, top * scale, (left + width) * scale, (top + height) * scale, conf))
    return lines


_FULL = {",": "，", ":": "：", ";": "；", "!": "！", "?": "？", "[": "「", "]": "」"}
_HAN = HAN
_IDEOGRAPHS = re.compile(f"[{HAN}]+")
_CLOSE = "」』）》〉】"
_ASCII_PUNCT_BY_HAN = re.compile(f"(?<=[{_HAN}{_CLOSE}])[,:;!?](?![A-Za-z])")
# (a square bracket between ideographs is Tesseract's reading of a corner bracket: 表示[中國終將統一])
_SQUARE_BY_HAN = re.compile(f"(?<=[{_HAN}，。：、])\\[(?=[{_HAN}])|(?<=[{_HAN}])\\](?=[{_HAN}，。：；、,:;]|$)")


def cjk_punctuation(text: str) -> str:
    """Tesseract's Chinese models write ASCII punctuation (, : ; ! ?) for the full-width marks that
    Chinese text uses; after an ideograph or a closing quote (and not before a Latin letter or
    digit) they are the full-width ones, and a square bracket between ideographs is a corner
    bracket.  Round brackets are left as read: authors use both kinds (歐巴馬(Barack Obama))."""
    text = _SQUARE_BY_HAN.sub(lambda m: _FULL[m.group(0)], text)
    return _ASCII_PUNCT_BY_HAN.sub(lambda m: _FULL[m.group(0)], text)


def _joined(words: list[_Word]) -> str:
    """Words in reading order as one line of text, joined as layout joins words, marks mended."""
    from .layout import join

    text = words[0].text
    for word in words[1:]:
        text = join(text, word.text, True)
    return cjk_punctuation(text)


def _straighten(lines: dict[tuple[str, str, str], list[_Word]], width: float) -> None:
    """Turn the word boxes of a skewed scan straight (in place).  Tesseract reads a skewed line
    fine but reports its boxes as they lie, so a line's baseline, measured where its words are,
    moves by a point or two from line to line, which reads as a paragraph break or an indent."""
    slope = ocrimage.skew([[((w.left + w.right) / 2, w.bottom) for w in words
                            if w.text and is_cjk(w.text[0])] for words in lines.values()], width)
    if not slope:
        return
    cx = width / 2
    cy = sum((w.top + w.bottom) / 2 for words in lines.values() for w in words) / sum(map(len, lines.values()))
    for words in lines.values():
        for w in words:
            down, across = slope * ((w.left + w.right) / 2 - cx), slope * ((w.top + w.bottom) / 2 - cy)
            w.top, w.bottom, w.left, w.right = w.top - down, w.bottom - down, w.left + across, w.right + across


def _segments(lines: dict[tuple[str, str, str], list[_Word]]) -> tuple[list[_Seg], list[float]]:
    """Each Tesseract line as one segment (its words joined as layout joins words)."""

    segs, confidence = [], []
    for words in lines.values():
        words.sort(key=lambda w: w.left)
        text = _joined(words)
        # The type size: ideographs fill most of their em box, so the height of words of
        # ideographs stands for it (punctuation and Latin letters are shorter or taller).  Now and
        # then Tesseract gives a word the whole line's box (on a skewed scan twice a glyph's
        # height): words much taller than the line's short ones are left out of size and baseline.
        han = [w for w in words if _IDEOGRAPHS.fullmatch(w.text)]
        low = sorted(w.bottom - w.top for w in han)[len(han) // 4] if han else 0.0
        han = [w for w in han if w.bottom - w.top <= 1.4 * low]
        heights = sorted(w.bottom - w.top for w in (han or words))
        size = max(heights[len(heights) // 2], 4.0)
        x0, x1 = min(w.left for w in words), max(w.right for w in words)
        top, bottom = min(w.top for w in words), max(w.bottom for w in words)
        first = words[0]
        # what must move to the line before together: one ideograph, or a Latin word
        lead = size if is_cjk(first.text[0]) else first.right - first.left
        # the baseline: the foot of the ideographs (brackets and Latin descenders reach lower)
        feet = sorted(w.bottom for w in han) if han else [bottom]
        seg = _Seg(list(text), x0, x1, top, bottom, feet[len(feet) // 2], size, lead, False)
        seg.spelled = text
        segs.append(seg)
        confidence.append(sum(w.conf * len(w.text) for w in words) / max(1, sum(len(w.text) for w in words)))
    # Measured sizes scatter by a few percent around the body's: snap those to the page's usual
    # size, so only a real change of type (a title, a heading, a note) reads as one.
    sizes = sorted(seg.size for seg in segs)
    if sizes:
        usual = sizes[len(sizes) // 2]
        for seg in segs:
            if abs(seg.size - usual) <= 0.25 * usual:
                seg.size = usual
    return segs, confidence


def _speck(text: str, confidence: float) -> bool:
    """A line Tesseract read from a speck or a rule: no letter or ideograph, or a few characters
    read with little confidence."""
    marks = [ch for ch in text if not ch.isspace()]
    if not any(ch.isalnum() for ch in marks):
        return True
    return len(marks) <= 4 and confidence < 60


def scan_dpi(page: Any) -> float | None:
    """The resolution of the scan a page is made of: the pixels per inch of an image that covers
    most of the page, as placed; None for a page that is no such image."""
    import pypdfium2.raw as pdfium_c

    area = page.get_width() * page.get_height()
    best: float | None = None
    try:
        for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2):
            left, bottom, right, top = obj.get_bounds()
            if (right - left) * (top - bottom) < 0.5 * area:
                continue
            width_px, height_px = obj.get_px_size()
            # (placed turned a quarter, the image's width runs down the page)
            across = max(right - left, top - bottom) if width_px > height_px else min(right - left, top - bottom)
            if across > 0:
                best = width_px / (across / 72)
    except Exception:  # an image PDFium cannot measure: render at the configured resolution
        return None
    return best


def render_dpi(page: Any, configured: int) -> int:
    """The resolution to render a page at for Tesseract.

    A scan is read at its own resolution: resampling a 200 dpi scan to 300 smears its specks and
    blur into the strokes (the OCR benchmark's 200 dpi noisy pages: 24% of characters wrong when
    resampled, 5% when read as scanned).  Other pages (a broken text layer) at ``configured``.
    """
    native = scan_dpi(page)
    if native is not None and MIN_SCAN_DPI <= native <= MAX_SCAN_DPI:
        return round(native)
    return configured


def _read(page: Any, settings: OcrSettings, languages: str, turn: int, folder: Path) -> OcrPage:
    image = folder / f"page-{turn}.pgm"
    native = render_dpi(page, settings.dpi)
    picture, dpi, _factor = ocrimage.fit(ocrimage.page_image(page, native, turn), native)
    picture.save(image)
    tsv = _tesseract(image, languages, dpi, settings.page_timeout)
    words = _words(tsv, 72 / dpi)
    if not languages.endswith("_vert"):
        _straighten(words, page.get_width() if turn in (0, 180) else page.get_height())
    telling = [w for line in words.values() for w in line if _script_specific(w.text)]
    script_conf = sum(w.conf for w in telling) / len(telling) if telling else 0.0
    if languages.endswith("_vert"):
        return _vertical_page(words, languages, script_conf)
    segs, confidence = _segments(words)
    # Specks, rules and box edges read as a few low-confidence marks ("|", "cae") are not text.
    kept = [(seg, conf) for seg, conf in zip(segs, confidence, strict=True) if not _speck(seg.text, conf)]
    segs, confidence = [seg for seg, _ in kept], [conf for _, conf in kept]
    by_text = [(seg.text, conf) for seg, conf in zip(segs, confidence, strict=True)]
    kept_texts = {seg.text for seg in segs}
    doubtful = [_joined(line) for line in words.values() if any(_LATIN.search(w.text) and w.conf < DOUBTFUL_LATIN
                                                                  for w in line)]
    chars = sum(len(seg.text) for seg in segs)
    mean = sum(len(s.text) * c for s, c in zip(segs, confidence, strict=True)) / chars if chars else 0.0
    placed = reading_order(segs) if segs else []
    for line in placed:  # (reading order may have merged two of Tesseract's lines on one baseline)
        line.source = "ocr"
        parts = [(len(t), c) for t, c in by_text if t and t in line.text] or [(1, mean)]
        line.confidence = sum(n * c for n, c in parts) / sum(n for n, _ in parts)
    return OcrPage(placed, "\n".join(line.text for line in placed), mean, languages, turned=turn,
                   script_confidence=script_conf, line_confidence=by_text,
                   doubtful=[t for t in doubtful if t in kept_texts])


def _vertical_page(words: dict[tuple[str, str, str], list[_Word]], languages: str, script_conf: float) -> OcrPage:
    """A page read with a vertical model: each of Tesseract's lines is a column, in its order (right
    to left).  Columns are not placed: paragraphs are rebuilt by the text rules."""

    placed: list[TextLine] = []
    by_text: list[tuple[str, float]] = []
    for column in words.values():
        column.sort(key=lambda w: w.top)
        text = _joined(column)
        conf = sum(w.conf * len(w.text) for w in column) / max(1, sum(len(w.text) for w in column))
        if _speck(text, conf):
            continue
        widths = sorted(w.right - w.left for w in column)
        line = TextLine(text, None, 0.0, 0.0, max(widths[len(widths) // 2], 4.0))  # type: ignore[arg-type]  # x0=None: an OCR line has no exact geometry (Line.exact)
        line.source, line.confidence = "ocr", conf
        placed.append(line)
        by_text.append((text, conf))
    chars = sum(len(t) for t, _ in by_text)
    mean = sum(len(t) * c for t, c in by_text) / chars if chars else 0.0
    return OcrPage(placed, "\n".join(t for t, _ in by_text), mean, languages, vertical=True,
                   script_confidence=script_conf, line_confidence=by_text)


@functools.cache
def converters() -> tuple[Any, Any]:
    """OpenCC's Traditional→Simplified and Simplified→Traditional converters, built once."""
    import opencc

    return opencc.OpenCC("t2s"), opencc.OpenCC("s2t")


def _script_specific(text: str) -> bool:
    """Does the word read differently in the two scripts (關係 / 关系)?"""
    t2s, s2t = converters()
    return bool(t2s.convert(text) != text or s2t.convert(text) != text)


#: Lines of a page read with both models to choose its script (:func:`_sample_script`), and the
#: fewest words that differ between the scripts that decide it.
SAMPLE_LINES, SAMPLE_WORDS = 6, 8
#: Marks in a Simplified reading that say the page may quote with corner brackets (read as such
#: or as their look-alikes): the page is then read with the Traditional model too.
_CORNER_LIKE = re.compile(r"[「」『』【】\[\]|]")


def _sample_script(page: Any, settings: OcrSettings, folder: Path) -> str | None:
    """The script of an upright page from a sample of its lines read with both models (one
    Tesseract run each over the lines stacked in one image), so the page itself is read with
    one model; None when the sample cannot tell (too few words that differ between the scripts,
    a turned page), and the page is read with both."""
    from PIL import Image

    native = render_dpi(page, settings.dpi)
    picture, dpi, _factor = ocrimage.fit(ocrimage.page_image(page, native), native)
    bands = ocrimage.sample_bands(picture, SAMPLE_LINES)
    if len(bands) < 3:
        return None
    gap = max(b - a for a, b in bands)
    sample = Image.new("L", (picture.width + 2 * gap, sum(b - a for a, b in bands) + gap * (len(bands) + 1)), 255)
    y = gap
    for a, b in bands:
        sample.paste(picture.crop((0, a, picture.width, b)), (gap, y))
        y += b - a + gap
    image = folder / "sample.pgm"
    sample.save(image)
    scores = []
    for languages in (TRADITIONAL, SIMPLIFIED):
        words = _words(_tesseract(image, languages, dpi, settings.page_timeout, psm=6), 1.0)
        telling = [w.conf for line in words.values() for w in line if _script_specific(w.text)]
        if len(telling) < SAMPLE_WORDS:
            return None
        scores.append(sum(telling) / len(telling))
    return SIMPLIFIED if scores[1] > scores[0] else TRADITIONAL


def read_page(page: Any, settings: OcrSettings | None = None) -> OcrPage:
    """OCR one PDFium page: choose the script by confidence and the turn by confidence."""
    settings = settings or OcrSettings()
    with tempfile.TemporaryDirectory(prefix="archive-ocr-") as tmp:
        folder = Path(tmp)
        sampled = None if settings.languages else _sample_script(page, settings, folder)
        languages = settings.languages or sampled or TRADITIONAL
        best = _read(page, settings, languages, 0, folder)
        if best.confidence < TRY_TURNS_BELOW:
            for turn in (90, 180, 270):
                other = _read(page, settings, languages, turn, folder)
                if other.confidence > best.confidence + 5:
                    best = other
        if best.confidence < TRY_TURNS_BELOW and settings.languages is None and vertical_available():
            # Set in columns: the horizontal models read such a page as Latin junk; the vertical
            # model is tried when the best horizontal reading is poor.
            other = _read(page, settings, VERTICAL_TRADITIONAL, 0, folder)
            if other.confidence > best.confidence + 5:
                best = other
        if settings.languages is None and best.text and sampled and not best.vertical and not best.turned:
            # The sample chose the script; a Simplified page that may quote with corner brackets
            # is read with the Traditional model too, for its brackets.
            if best.languages == SIMPLIFIED and _CORNER_LIKE.search(best.text):
                _mend_corners(best, _read(page, settings, TRADITIONAL, 0, folder))
        elif settings.languages is None and best.text:
            # Each model reads the other script as its own (the Traditional model turns 关系 into
            # 關係, confidently): the page is read with both, and the script is the one whose
            # model is surer of the words that differ between the scripts (over all words, the
            # two are often within a point of each other).
            traditional = best.languages in (TRADITIONAL, VERTICAL_TRADITIONAL)
            pair = {True: VERTICAL_SIMPLIFIED, False: VERTICAL_TRADITIONAL} if best.vertical else \
                {True: SIMPLIFIED, False: TRADITIONAL}
            other = _read(page, settings, pair[traditional], best.turned, folder)
            trad, simp = (best, other) if traditional else (other, best)
            best = simp if simp.script_confidence > trad.script_confidence else trad
            if best is simp and not best.vertical:
                _mend_corners(simp, trad)
        if not best.vertical and not best.turned and "+" in best.languages:
            _reread_unsure_lines(page, best, settings, folder)
        return best


def _mend_corners(simplified: OcrPage, traditional: OcrPage) -> None:
    """The Simplified model misreads corner brackets; the Traditional reading has them."""
    if ocrmerge.corners_from(simplified.lines, traditional.lines, converters()[0]):
        simplified.text = "\n".join(line.text for line in simplified.lines)


class _OnePage:
    """A page standing in for its document (``doc[i]`` is the page; closing it is the caller's)."""

    def __init__(self, page: Any) -> None:
        self.page = page

    def __getitem__(self, _index: int) -> Any:
        return self

    def __getattr__(self, name: str) -> Any:
        return getattr(self.page, name)

    def close(self) -> None:
        pass


def _reread_unsure_lines(page: Any, best: OcrPage, settings: OcrSettings, folder: Path) -> None:
    """Lines read below :data:`TRY_TURNS_BELOW`, or with a Latin word below :data:`DOUBTFUL_LATIN`,
    are read again from their strips with the script's model alone: with English beside it,
    Tesseract takes a run of ideographs for Latin letters now and then (和商務部長雷蒙多 as
    "MMBRBSS").  The surer reading of each line is kept."""
    unsure = [line for line in best.lines if line.x0 is not None and (
        line.confidence < TRY_TURNS_BELOW or any(text in line.text for text in best.doubtful))]
    if not unsure:
        return
    try:
        # (a scan's strips no finer than the scan: interpolating its specks costs more than it gains)
        finest = float(render_dpi(page, settings.dpi)) if scan_dpi(page) is not None else None
        got = _read_strips(_OnePage(page), [(0, line) for line in unsure[:LINES_PER_RUN]],
                           best.languages.split("+")[0], settings, folder, lambda line: _strip_dpi(line, finest))
    except TimeoutError:
        return
    changed = False
    for line in unsure:
        text, conf = got.get(id(line), ("", 0.0))
        if text and conf > line.confidence + 5:
            line.text, line.confidence, changed = text, conf, True
    if changed:
        best.text = "\n".join(line.text for line in best.lines)
        chars = sum(len(line.text) for line in best.lines)
        best.confidence = sum(len(line.text) * line.confidence for line in best.lines) / max(1, chars)


#: Lines OCR'd from their place on the page per Tesseract run (stacked in one image), and at most
#: this many lines a document (a document of garbled lines throughout is for page OCR).
LINES_PER_RUN, MAX_LINES = 40, 600


def _strip_dpi(line: TextLine, finest: float | None = None) -> float:
    """The resolution that puts the line's type at the height Tesseract reads best
    (:data:`ingest.ocrimage.TARGET_PX`), whatever the page's resolution, but not above ``finest``."""
    dpi = ocrimage.TARGET_PX / max(line.size, 4.0) * 72
    return min(dpi, finest) if finest else dpi


def _crop(page: Any, line: TextLine, dpi: float) -> tuple[int, int, bytes]:
    """The line's strip of the page, rendered in grey: (width, height, rows of bytes)."""
    width, height = page.get_width(), page.get_height()
    size = max(line.size, 4.0)
    left, right = max(0.0, (line.x0 or 0.0) - 0.4 * size), min(width, line.x1 + 0.4 * size)
    top, bottom = max(0.0, line.top - 1.05 * size), min(height, line.top + 0.4 * size)
    picture = ocrimage.render(page, dpi, crop=(left, height - bottom, width - right, top))
    return picture.width, picture.height, picture.tobytes()


def _read_strips(doc: Any, batch: list[tuple[int, TextLine]], languages: str, settings: OcrSettings,
                 folder: Path, dpi_of: Callable[[TextLine], float] | None = None) -> dict[int, tuple[str, float]]:
    """One Tesseract run over the batch's line strips stacked in one image, a blank line apart,
    each rendered at ``dpi_of(line)`` (by default the configured resolution)."""

    dpi_of = dpi_of or (lambda _line: float(settings.dpi))
    strips, dpis = [], sorted(dpi_of(line) for _, line in batch)
    for index, line in batch:
        page = doc[index]
        try:
            strips.append(_crop(page, line, dpi_of(line)))
        finally:
            page.close()
    dpi = dpis[len(dpis) // 2]
    gap = max(h for _, h, _ in strips)
    width = max(w for w, _, _ in strips) + 2 * gap
    blank = b"\xff" * width
    rows, spans, y = [blank] * gap, [], gap
    for w, h, pixels in strips:
        rows.extend(b"\xff" * gap + pixels[r * w:(r + 1) * w] + b"\xff" * (width - w - gap) for r in range(h))
        spans.append((y, y + h))
        rows.extend([blank] * gap)
        y += h + gap
    image = folder / "lines.pgm"
    image.write_bytes(b"P5\n%d %d\n255\n" % (width, len(rows)) + b"".join(rows))
    # (psm 6, one block of text: the automatic page layout splits a strip of big type into parts)
    tsv = _tesseract(image, languages, dpi, settings.page_timeout, psm=6)
    words = [w for line_words in _words(tsv, 1.0).values() for w in line_words]
    out: dict[int, tuple[str, float]] = {}
    for (_index, line), (y0, y1) in zip(batch, spans, strict=True):
        mine = sorted((w for w in words if y0 <= (w.top + w.bottom) / 2 <= y1), key=lambda w: w.left)
        if mine:
            conf = sum(w.conf * len(w.text) for w in mine) / sum(len(w.text) for w in mine)
            out[id(line)] = (_joined(mine), conf)
    return out


def read_lines(data: bytes, password: str | None, lines: dict[int, list[TextLine]], languages: str,
               settings: OcrSettings | None = None,
               deadline: float | None = None) -> dict[int, tuple[str, float]]:
    """OCR single lines where they are printed (0-based page -> its lines): ``id(line)`` -> (text,
    mean confidence).  For lines whose text layer is garbage in a document that is otherwise good:
    their strips are stacked into one image per :data:`LINES_PER_RUN` and read in one run; lines
    read with little confidence are read again with the script's model alone (with English
    beside it, Tesseract takes a line of bold ideographs for Latin letters now and then)."""
    import pypdfium2 as pdfium

    settings = settings or OcrSettings()
    wanted = [(index, line) for index, page_lines in sorted(lines.items()) for line in page_lines][:MAX_LINES]
    out: dict[int, tuple[str, float]] = {}
    doc = pdfium.PdfDocument(data, password=password)
    try:
        with tempfile.TemporaryDirectory(prefix="archive-ocr-") as tmp:
            for models in dict.fromkeys((languages, languages.split("+")[0])):
                todo = [(i, line) for i, line in wanted if out.get(id(line), ("", 0.0))[1] < TRY_TURNS_BELOW]
                for start in range(0, len(todo), LINES_PER_RUN):
                    if deadline is not None and time.monotonic() > deadline:
                        break
                    try:
                        got = _read_strips(doc, todo[start:start + LINES_PER_RUN], models, settings, Path(tmp))
                    except TimeoutError:
                        continue
                    for key, (text, conf) in got.items():
                        if conf > out.get(key, ("", -1.0))[1]:
                            out[key] = (text, conf)
    finally:
        doc.close()
    return out


def read_pages(data: bytes, password: str | None, pages: list[int], settings: OcrSettings | None = None,
               progress: Callable[[str], None] | None = None,
               deadline: float | None = None) -> tuple[dict[int, OcrPage], dict[int, str]]:
    """OCR the given pages (0-based) of a PDF; returns the pages read and, for the others, why not.

    ``deadline`` (``time.monotonic()``) stops before a page that would start after it.
    """
    import pypdfium2 as pdfium

    settings = settings or OcrSettings()
    read: dict[int, OcrPage] = {}
    missing: dict[int, str] = {}
    doc = pdfium.PdfDocument(data, password=password)
    try:
        for n, index in enumerate(pages, start=1):
            if deadline is not None and time.monotonic() > deadline:
                missing[index] = "not OCR'd: the document's OCR time limit was reached"
                continue
            if progress is not None:
                progress(f"OCR page {n} of {len(pages)}")
            page = doc[index]
            try:
                result = read_page(page, settings)
            except TimeoutError as exc:
                missing[index] = str(exc)
                continue
            finally:
                page.close()
            if not result.text.strip():
                missing[index] = "OCR found no text"
            elif result.confidence < settings.min_confidence:
                missing[index] = f"OCR confidence {result.confidence:.0f}% is below {settings.min_confidence:.0f}%"
            else:
                read[index] = result
    finally:
        doc.close()
    return read, missing
