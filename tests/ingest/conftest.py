"""Shared fixtures for the ingest tests: seed PDFs built once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import pdfgen

LAYOUTS = ("header", "plain-a5")


@pytest.fixture(scope="session")
def seed() -> dict:
    """The seed's content as fields (what a correct ingest must give back)."""
    return pdfgen.seed_content()


@pytest.fixture(scope="session")
def seed_pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The seed as PDF bytes in each layout."""
    folder = tmp_path_factory.mktemp("seed")
    return {layout: pdfgen.seed_pdf(folder / f"{layout}.pdf", layout).read_bytes() for layout in LAYOUTS}


@pytest.fixture(scope="session")
def seed_docs(seed_pdfs: dict[str, bytes]) -> dict:
    """The seed PDFs ingested in-process."""
    from ingest import extract_document

    return {layout: extract_document(data, filename=f"{layout}.pdf") for layout, data in seed_pdfs.items()}


@pytest.fixture
def make_pdf(tmp_path: Path):
    """Build a commentary PDF and return its bytes."""

    def build(**kwargs) -> bytes:
        kwargs.setdefault("title", "測試標題")
        kwargs.setdefault("paragraphs", ["這是一段測試用的正文，內容足夠長，可以讓擷取程式辨認為段落。" * 3])
        return pdfgen.commentary_pdf(tmp_path / "doc.pdf", **kwargs).read_bytes()

    return build
