"""Check that each real PDF in a folder ends in the right outcome for its MANIFEST category.

Usage: python scripts/check_pdfs.py DIR [--password-for FILE=PW ...]

Prints one line per file: outcome, extractor, quality score, characters kept,
and agreement with the other extractor (PDFium's raw text, or pypdf's when
PDFium's was kept) as a reference.  Exits 1 if any outcome is wrong for its
category.  ``DIR/MANIFEST.tsv`` (file, category columns) says what each file
is; without it every file must simply ingest or fail cleanly.
"""

from __future__ import annotations

import argparse
import csv
import logging
import re
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ingest import (  # noqa: E402
    IngestError,
    extract_document,
    quality,  # noqa: E402
)
from ingest.extract import open_pypdf, pdfium_text, pypdf_text  # noqa: E402
from ingest.normalize import normalize_page  # noqa: E402

KNOWN_PASSWORDS = {"enc_aes256_r6_userpw.pdf": "usersecret"}
GARBLED = "unreadable text layer"


def _bag(text: str) -> Counter[str]:
    return Counter(c for c in text if not c.isspace())


def agreement(kept: str, reference: str) -> float:
    """Share of characters the two texts have in common (multiset overlap), 0..1."""
    a, b = _bag(kept), _bag(reference)
    total = max(sum(a.values()), sum(b.values()), 1)
    return sum((a & b).values()) / total


def reference_text(data: bytes, password: str | None, kept_by: str) -> tuple[str, float]:
    """The other extractor's text, normalised the same way, and its quality score.

    ('', 0.0) if it cannot read the file.  A reference that fails the gate
    itself (pypdf's text of a font without ToUnicode) proves nothing.
    """
    try:
        other = pdfium_text(data, password) if kept_by == "pypdf" else pypdf_text(open_pypdf(data, password))
    except Exception:
        return "", 0.0
    raw = "\n".join(other.pages)
    text = "\n".join(line for page in other.pages for line in normalize_page(page))
    return text, quality.score(raw).score


def judge(category: str, outcome: str, reason: str, agree: float | None) -> str | None:
    """None if the outcome is right for the category, else what is wrong."""
    ok = outcome == "ingested"
    if category in ("trad-born-digital", "simp-born-digital", "mixed"):
        if not ok:
            return "readable PDF not ingested"
        if agree is not None and agree < 0.8:
            return f"text disagrees with the reference ({agree:.2f})"
    elif category == "hard:scanned":
        if not ok and not reason.startswith("no text layer"):
            return "scan neither OCR'd nor refused for having no text"
    elif category == "hard:encrypted":
        if not ok and reason != "encrypted: give --password":
            return "encrypted PDF neither opened nor refused for a password"
    elif category == "hard:broken":
        if not ok and not reason.startswith("corrupt PDF"):
            return "broken PDF neither recovered nor refused as corrupt"
    elif category.startswith("hard:"):  # cid-no-tounicode, vertical, kangxi, predefined cmap
        if ok and agree is not None and agree < 0.8:
            return f"kept text looks like garbage ({agree:.2f} agreement)"
        if not ok and not reason.startswith((GARBLED, "no text layer")):
            return "hard case refused without a clear reason"
    return None


def check(folder: Path, passwords: dict[str, str]) -> int:
    manifest = folder / "MANIFEST.tsv"
    categories: dict[str, str] = {}
    if manifest.exists():
        with manifest.open(encoding="utf-8") as fh:
            categories = {row["file"]: row["category"] for row in csv.DictReader(fh, delimiter="\t")}
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() == ".pdf")
    wrong = 0
    docs: dict[str, object] = {}
    print(f"{'file':44} {'category':24} {'outcome':9} {'extractor':9} {'quality':>7} {'chars':>7} {'ref':>5}  note")
    for path in files:
        data = path.read_bytes()
        password = passwords.get(path.name)
        category = categories.get(path.name, "unknown")
        outcome, reason, extractor, score, chars, agree = "failed", "", "-", "-", 0, None
        try:
            doc = extract_document(data, password=password, filename=path.name)
            docs[path.name] = doc
            outcome, extractor, score = "ingested", doc.extractor, f"{doc.quality:.3f}"
            kept = "\n".join(b.text for b in doc.blocks)
            chars = len(kept)
            ref, ref_quality = reference_text(data, password, doc.extractor)
            if ref.strip() and ref_quality >= quality.ACCEPT:
                agree = agreement(kept, ref)
            elif ref.strip():
                reason = f"reference extractor's text is garbled (quality {ref_quality:.2f})"
            if doc.quality < quality.ACCEPT:
                reason = "CRASH garbage kept as text"
            if doc.ocr.get("pages") or doc.ocr.get("missing"):
                pages = ",".join(map(str, doc.ocr.get("pages", []))) or "none"
                missing = doc.ocr.get("missing") or {}
                reason = (f"OCR pages {pages}, mean confidence {doc.ocr.get('confidence')}%"
                          + (f"; pages not read: {', '.join(missing)}" if missing else "")
                          + (f"; {reason}" if reason else ""))
            if doc.ocr.get("lines"):
                reason = f"OCR of {doc.ocr['lines']} garbled lines" + (f"; {reason}" if reason else "")
        except IngestError as exc:
            reason = exc.reason
        except Exception as exc:  # a traceback is always wrong
            reason = f"CRASH {type(exc).__name__}: {exc}"
        problem = judge(category, outcome, reason, agree) if not reason.startswith("CRASH") else reason
        if category == "unknown" and problem is None and outcome != "ingested" and not reason:
            problem = "no outcome"
        wrong += problem is not None
        ref_s = f"{agree:.2f}" if agree is not None else "-"
        note = problem and f"WRONG: {problem}" or reason
        print(f"{path.name[:44]:44} {category[:24]:24} {outcome:9} {extractor:9} {score:>7} {chars:>7} {ref_s:>5}  {note}")
    print(f"{len(files)} files, {wrong} wrong")
    print()
    print("metadata, for review by eye (WRONG: a path or file name as title, an account as author,")
    print("a licence line as series or title):")
    print(f"{'file':44} {'title':34} {'author':16} {'publisher':20} {'date':10}  pdf_author")
    meta_wrong = 0
    for name, doc in docs.items():
        fields = {k: doc.meta(k) or "" for k in ("title", "author", "foundation", "date",  # type: ignore[attr-defined]
                                                  "series", "pdf_author")}
        problem = metadata_problem(fields)
        meta_wrong += problem is not None
        note = f"  WRONG: {problem}" if problem else ""
        print(f"{name[:44]:44} {fields['title'][:34]:34} {fields['author'][:16]:16} "
              f"{fields['foundation'][:20]:20} {fields['date'][:10]:10}  {fields['pdf_author'][:24]}{note}")
    print(f"{len(docs)} ingested, {meta_wrong} with wrong metadata")
    return 1 if wrong or meta_wrong else 0


_LICENCE = re.compile(r"版權所有|版权所有|翻印必究|著作權|著作权|All rights reserved|Copyright|©|CC BY|授權條款|授权条款",
                      re.IGNORECASE)


def metadata_problem(fields: dict[str, str]) -> str | None:
    """What is wrong with a document's title, author or series, by rules of what they are."""
    from ingest.metadata import looks_like_name

    title, author = fields["title"], fields["author"]
    if re.search(r"[\\/]|\.(?:pdf|docx?|pptx?|indd|odt)$", title, re.IGNORECASE) and not re.search(
            r"[\u4e00-\u9fff]", title.split("/")[-1]):
        return f"title looks like a file name or path: {title[:40]!r}"
    if _LICENCE.search(title) or _LICENCE.search(fields["series"]):
        return "a licence line as title or series"
    if author and not looks_like_name(author):
        return f"author is not a name: {author[:30]!r}"
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--password-for", action="append", default=[], metavar="FILE=PW")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)  # pypdf's warnings about damaged files are expected here
    passwords = dict(KNOWN_PASSWORDS)
    passwords.update(dict(item.split("=", 1) for item in args.password_for))
    if not args.folder.is_dir():
        print(f"{args.folder}: not a folder", file=sys.stderr)
        return 2
    return check(args.folder, passwords)


if __name__ == "__main__":
    sys.exit(main())
