"""The original page at a passage: the page rendered, and where the passage's characters are.

    python -m ingest.pageview < request.json > reply.json   (one-shot, in a limited child)

A reader who follows a citation wants to see the passage on the printed page, not only
``#page=N``.  This renders one page of the stored PDF with PDFium and finds the
passage's characters in PDFium's text of that page: both texts with whitespace taken
out (the rebuilt passage joins lines and drops line-end hyphens; the page's text keeps
them), the longest run of the passage that the page holds (a paragraph continued from
the page before, or onto the next, is partly there).  The characters' boxes are merged
into one rectangle per printed line.

It runs in a child interpreter with address-space and CPU limits (the PDF is untrusted
input: only sandboxed processes parse it), started by :func:`render_passage`.
"""

from __future__ import annotations

import base64
import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

#: Resolution of the rendered page (CSS pixels at 1:1 are 96 dpi; a bit more reads better).
DPI = 110
_MAX_SIDE = 3000  # pixels: a huge page is rendered smaller rather than refused


def _normalised(text: str) -> tuple[str, list[int]]:
    """``text`` without whitespace, and each kept character's index in ``text``."""
    keep = [(c, i) for i, c in enumerate(text) if not c.isspace() and c not in "\ufffe\u00ad"]
    return "".join(c for c, _ in keep), [i for _, i in keep]


def _longest_run(page: str, passage: str, least: int = 4) -> tuple[int, int] | None:
    """[start, end) in ``page`` of the longest head or tail of ``passage`` that it contains:
    the whole passage, or the part a page holds of a passage crossing a page break."""
    if not passage:
        return None
    at = page.find(passage)
    if at >= 0:
        return at, at + len(passage)

    def longest(piece: Callable[[int], str]) -> int:
        lo, hi = 0, len(passage)  # a head (tail) of size lo is on the page; of size hi is not
        while hi - lo > 1:
            mid = (lo + hi) // 2
            lo, hi = (mid, hi) if piece(mid) in page else (lo, mid)
        return lo

    head = longest(lambda k: passage[:k])
    tail = longest(lambda k: passage[len(passage) - k:])
    if max(head, tail) < least:
        return None
    piece = passage[:head] if head >= tail else passage[len(passage) - tail:]
    at = page.find(piece)
    return at, at + len(piece)


def _lines(boxes: list[tuple[float, float, float, float]]) -> list[list[float]]:
    """Character boxes (left, bottom, right, top) merged into one box per printed line."""
    lines: list[list[float]] = []
    for left, bottom, right, top in boxes:
        if right <= left or top <= bottom:
            continue
        for line in lines:
            overlap = min(line[3], top) - max(line[1], bottom)
            if overlap > 0.5 * min(line[3] - line[1], top - bottom):
                line[0], line[1] = min(line[0], left), min(line[1], bottom)
                line[2], line[3] = max(line[2], right), max(line[3], top)
                break
        else:
            lines.append([left, bottom, right, top])
    return lines


def locate(path: str, page_no: int, text: str, password: str | None = None, dpi: int = DPI
           ) -> dict[str, Any]:
    """Render page ``page_no`` (1-based) and find ``text`` on it (this process; see module doc)."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(path, password=password)
    try:
        if not 1 <= page_no <= len(pdf):
            raise ValueError(f"no page {page_no}")
        page = pdf[page_no - 1]
        width, height = page.get_size()
        scale = min(dpi / 72.0, _MAX_SIDE / max(width, height, 1.0))
        textpage = page.get_textpage()
        count = textpage.count_chars()
        page_text = textpage.get_text_range(0, count) if count else ""
        flat_page, page_index = _normalised(page_text)
        flat_text, _ = _normalised(text)
        found = _longest_run(flat_page, flat_text)
        boxes = []
        if found:
            for k in range(*found):
                boxes.append(textpage.get_charbox(page_index[k], loose=False))
        lines = _lines(boxes)
        image = page.render(scale=scale).to_pil()
        out = io.BytesIO()
        image.save(out, format="PNG", optimize=True)
        return {
            "page": page_no,
            "width": round(width * scale), "height": round(height * scale), "scale": scale,
            "points": [width, height],
            "found": (found[1] - found[0]) if found else 0,
            "of": len(flat_text),
            # boxes in image pixels (top-left origin) and in PDF points (bottom-left origin)
            "boxes": [[round(left * scale, 1), round((height - top) * scale, 1),
                       round((right - left) * scale, 1), round((top - bottom) * scale, 1)]
                      for left, bottom, right, top in lines],
            "pdf_boxes": [[round(v, 2) for v in line] for line in lines],
            "png": base64.b64encode(out.getvalue()).decode("ascii"),
        }
    finally:
        pdf.close()


class PageViewError(RuntimeError):
    """The page could not be shown (a limit, a damaged file): one line for logs and users."""


def render_passage(path: Path, page_no: int, text: str, *, password: str | None = None,
                   timeout: float = 20.0, memory_mb: int = 1024) -> dict[str, Any]:
    """:func:`locate` in a child interpreter with a wall-clock, CPU and memory limit."""
    request = json.dumps({"path": str(path), "page": page_no, "text": text, "password": password,
                          "memory_mb": memory_mb, "cpu_s": timeout})
    root = str(Path(__file__).resolve().parents[1])
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH", "")) if p))
    try:
        done = subprocess.run([sys.executable, "-m", "ingest.pageview"], input=request, capture_output=True,
                              text=True, timeout=timeout, env=env, cwd=root, check=False)
    except subprocess.TimeoutExpired as exc:
        raise PageViewError(f"rendering the page took longer than {timeout:.0f} s") from exc
    if done.returncode != 0 or not done.stdout.strip():
        raise PageViewError("the page could not be rendered")
    reply: dict[str, Any] = json.loads(done.stdout)
    if "error" in reply:
        raise PageViewError(str(reply["error"]))
    return reply


def main() -> int:
    from ingest.worker import set_limits

    req = json.loads(sys.stdin.read())
    set_limits(int(req.get("memory_mb") or 1024), float(req.get("cpu_s") or 20.0))
    try:
        reply = locate(req["path"], int(req["page"]), req["text"], req.get("password"))
    except Exception as exc:  # noqa: BLE001 - reported to the parent as one line, never a traceback
        reply = {"error": " ".join(str(exc).split())[:200] or type(exc).__name__}
    sys.stdout.write(json.dumps(reply))
    return 0


if __name__ == "__main__":
    sys.exit(main())
