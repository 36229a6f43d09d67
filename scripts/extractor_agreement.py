"""Which extractor reads the characters right? pypdf and PDFium against poppler's pdftotext.

Usage: python scripts/extractor_agreement.py DIR [--password-for FILE=PW ...]

For each PDF, the share of pdftotext's non-space characters (NFKC, as a
multiset) that each extractor also reads, and its time.  poppler is a third,
independent reader: where two of the three agree, that is the text.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
import unicodedata
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ingest.extract import open_pypdf, pdfium_text, pypdf_text  # noqa: E402


def bag(text: str) -> Counter[str]:
    return Counter(ch for ch in unicodedata.normalize("NFKC", text) if not ch.isspace() and ch != "\x00")


def overlap(ours: Counter[str], reference: Counter[str]) -> float:
    total = max(sum(reference.values()), sum(ours.values()), 1)
    return sum((ours & reference).values()) / total


def read(extractor: str, data: bytes, password: str | None) -> str:
    """One extractor's page texts joined, or '' if it cannot read the file."""
    try:
        if extractor == "pypdf":
            return "\n".join(pypdf_text(open_pypdf(data, password)).pages)
        return "\n".join(pdfium_text(data, password).pages)
    except Exception:
        return ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--password-for", action="append", default=[], metavar="FILE=PW")
    args = parser.parse_args()
    passwords = dict(item.split("=", 1) for item in args.password_for)
    print(f"{'file':44} {'pypdf':>7} {'s':>6} {'pdfium':>7} {'s':>6}")
    for path in sorted(args.folder.glob("*.pdf")):
        data, pw = path.read_bytes(), passwords.get(path.name)
        cmd = ["pdftotext", "-enc", "UTF-8", *(["-upw", pw] if pw else []), str(path), "-"]
        ref = bag(subprocess.run(cmd, capture_output=True, text=True, check=False).stdout)
        if not ref:
            print(f"{path.name:44} (pdftotext reads nothing)")
            continue
        row = []
        for name in ("pypdf", "pdfium"):
            start = time.perf_counter()
            row += [overlap(bag(read(name, data, pw)), ref), time.perf_counter() - start]
        print(f"{path.name:44} {row[0]:7.3f} {row[1]:6.2f} {row[2]:7.3f} {row[3]:6.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
