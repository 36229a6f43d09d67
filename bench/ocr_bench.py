"""OCR benchmark: known texts as page images, through ingest, scored by character error rate.

Usage: python bench/ocr_bench.py [--texts ../shared/corpus/docs.jsonl] [--pages N] [--dpi 300 200]

Each text (the seed commentary, and corpus documents when ``--texts`` is given)
is set in Traditional and in Simplified script (OpenCC), drawn with Noto Serif
CJK onto A4 page images at each resolution, once clean and once with mild
noise, blur and a 0.7 degree skew, and wrapped as an image-only PDF (no text
layer).  Each PDF goes through :func:`ingest.extract_document`, which must
OCR it; the score is the character error rate (edit distance over the truth's
length, whitespace ignored, both sides NFKC; the unfolded rate beside it) of the stored text against the drawn text, per
script, resolution and condition, with seconds per page on one core
(Tesseract is held to one thread) and how often the script was read with its
own model.  Exit status 0 always: this is a benchmark, not a test.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FONT = "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"
FONT_INDEX = {"Traditional": 2, "Simplified": 1}  # the TTC's TC and SC faces


def _face_index(script: str) -> int:
    """The index of Noto Serif CJK's TC or SC face in the collection (by its family name)."""
    from PIL import ImageFont

    want = "TC" if script == "Traditional" else "SC"
    for i in range(10):
        try:
            face = ImageFont.truetype(FONT, 20, index=i)
        except OSError:
            break
        if face.getname()[0].endswith(want):
            return i
    return FONT_INDEX[script]


def cer(truth: str, got: str, fold: bool = True) -> float:
    """Character error rate: Levenshtein distance / len(truth), whitespace removed from both.

    ``fold``: both sides NFKC first, as search and passage ids compare text — a full-width comma
    and a half-width one (，/,  ：/:  （/( ) are one mark to a reader; Tesseract's models
    write the half-width forms and the product restores the full-width ones after ideographs,
    which is right for most Chinese text and wrong for text typed with half-width marks.  Nothing
    else is folded (、 。 「 」 stay, and so do the two scripts)."""
    if fold:
        truth, got = unicodedata.normalize("NFKC", truth), unicodedata.normalize("NFKC", got)
    a, b = "".join(truth.split()), "".join(got.split())
    if not a:
        return 0.0 if not b else 1.0
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
        prev = cur
    return prev[-1] / len(a)


def wrap(text: str, font, width: int) -> list[str]:
    lines, line = [], ""
    for ch in text:
        if font.getlength(line + ch) > width:
            lines.append(line)
            line = ch
        else:
            line += ch
    if line:
        lines.append(line)
    return lines


def page_images(paragraphs: list[str], script: str, dpi: int, noisy: bool, seed: int):
    """A4 pages (PIL images) with the paragraphs drawn; returns (images, the text drawn on them)."""
    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    w, h = int(8.27 * dpi), int(11.69 * dpi)
    size = int(11 / 72 * dpi)  # 11 pt type
    font = ImageFont.truetype(FONT, size, index=_face_index(script))
    margin, leading = int(0.9 * dpi), int(size * 1.7)
    pages, drawn, page_text = [], [], []
    img = Image.new("L", (w, h), 255)
    draw = ImageDraw.Draw(img)
    y = margin
    for para in paragraphs:
        for line in wrap(para, font, w - 2 * margin):
            if y + leading > h - margin:
                pages.append(img)
                drawn.append("".join(page_text))
                img, page_text, y = Image.new("L", (w, h), 255), [], margin
                draw = ImageDraw.Draw(img)
            draw.text((margin, y), line, font=font, fill=0)
            page_text.append(line)
            y += leading
        y += leading // 2
    pages.append(img)
    drawn.append("".join(page_text))
    if noisy:
        rnd = random.Random(seed)
        out = []
        for im in pages:
            im = im.rotate(0.7, resample=Image.BICUBIC, fillcolor=255).filter(ImageFilter.GaussianBlur(0.6))
            px = im.load()
            for _ in range(im.width * im.height // 400):  # salt and pepper, 0.25%
                px[rnd.randrange(im.width), rnd.randrange(im.height)] = rnd.choice((0, 255))
            out.append(im)
        pages = out
    return pages, drawn


def _cpu(t: os.times_result) -> float:
    return t.user + t.system + t.children_user + t.children_system


def _bare_tesseract(image, dpi: int, script: str) -> float:
    """CPU seconds of one plain ``tesseract`` run over the page image (the baseline for speed)."""
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "page.png"
        image.save(path)
        lang = ("chi_sim" if script == "Simplified" else "chi_tra") + "+eng"
        t0 = os.times()
        subprocess.run(["tesseract", str(path), "stdout", "-l", lang, "--dpi", str(dpi), "tsv"],
                       capture_output=True, env=dict(os.environ, OMP_THREAD_LIMIT="1"), check=False)
        return _cpu(os.times()) - _cpu(t0)


def image_pdf(pages, dpi: int) -> bytes:
    buf = io.BytesIO()
    pages[0].save(buf, "PDF", resolution=dpi, save_all=True, append_images=pages[1:])
    return buf.getvalue()


def sources(texts: Path | None, n: int) -> list[list[str]]:
    seed = (ROOT / "tests" / "fixtures" / "prospect-forum-apec-2023.txt").read_text(encoding="utf-8")
    out = [[p.strip() for p in seed.split("\n") if len(p.strip()) > 40][:6]]
    if texts and texts.exists():
        group: list[str] = []
        for line in texts.read_text(encoding="utf-8").splitlines():
            doc = json.loads(line)
            group += [p for p in str(doc.get("text", "")).split("\n") if 60 <= len(p) <= 400]
            if len(group) >= 5:
                out.append(group[:5])
                group = []
            if len(out) > n:
                break
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--texts", type=Path)
    ap.add_argument("--docs", type=int, default=2, help="corpus documents to add to the seed")
    ap.add_argument("--dpi", type=int, nargs="+", default=[300, 200])
    args = ap.parse_args(argv)
    os.environ["OMP_THREAD_LIMIT"] = "1"
    import opencc

    from ingest import extract_document

    t2s = opencc.OpenCC("t2s")
    rows: dict[tuple[str, int, str], list[tuple[float, float, int, float]]] = {}
    script_right = script_total = 0
    bare = 0.0
    for k, paras in enumerate(sources(args.texts, args.docs)):
        for script in ("Traditional", "Simplified"):
            text = paras if script == "Traditional" else [t2s.convert(p) for p in paras]
            for dpi in args.dpi:
                for noisy in (False, True):
                    images, drawn = page_images(text, script, dpi, noisy, seed=k)
                    data = image_pdf(images, dpi)
                    t0 = os.times()
                    try:
                        doc = extract_document(data, filename="scan.pdf")
                        got = "".join(b.text for b in doc.blocks)
                        pages = doc.page_count
                        langs = (doc.ocr or {}).get("languages", {})
                    except Exception as exc:  # a refusal counts as all wrong
                        print(f"  {script} {dpi} dpi {'noisy' if noisy else 'clean'}: refused: {exc}")
                        got, pages, langs = "", len(images), {}
                    t1 = os.times()  # (Tesseract runs as child processes: their CPU counts too)
                    spent = _cpu(t1) - _cpu(t0)
                    bare += sum(_bare_tesseract(im, dpi, script) for im in images)
                    rate, exact = cer("".join(drawn), got), cer("".join(drawn), got, fold=False)
                    rows.setdefault((script, dpi, "noisy" if noisy else "clean"), []).append(
                        (rate, exact, pages, spent))
                    want = "chi_sim" if script == "Simplified" else "chi_tra"
                    for lang in langs.values():
                        script_total += 1
                        script_right += want in lang
    print(f"{'script':12} {'dpi':>4} {'condition':9} {'CER':>7} {'unfolded':>8} {'pages':>5}")
    for (script, dpi, cond), vals in sorted(rows.items()):
        rate = sum(v[0] for v in vals) / len(vals)
        exact = sum(v[1] for v in vals) / len(vals)
        pages = sum(v[2] for v in vals)
        print(f"{script:12} {dpi:>4} {cond:9} {rate:7.2%} {exact:8.2%} {pages:>5}")
    total_cpu = sum(v[3] for vals in rows.values() for v in vals)  # ingest only, not drawing or scoring
    total_pages = sum(v[2] for vals in rows.values() for v in vals)
    print(f"seconds per page (CPU, ingest and Tesseract, one thread): {total_cpu / max(1, total_pages):.1f}"
          f" = {total_cpu / max(bare, 1e-9):.2f}x one bare Tesseract run of each page (its script's model"
          f" and English, as scanned: {bare / max(1, total_pages):.1f} s)")
    print(f"script read with its own model: {script_right}/{script_total} pages")
    print("targets: CER <= 2% at 300 dpi clean, <= 5% at 200 dpi noisy")
    return 0


if __name__ == "__main__":
    sys.exit(main())
