"""Citations and exports: what reference managers, styles and spreadsheets read.

* :mod:`archive.cite.reference`: one :class:`Reference` built from a document or a
  passage, which everything else reads;
* :mod:`archive.cite.formats`: CSL-JSON, BibTeX and RIS;
* :mod:`archive.cite.styles`: Chicago, APA and GB/T 7714 through citeproc-py;
* :mod:`archive.cite.tables`: a search's results as CSV and JSON Lines.

Nothing here knows about Flask or the store: the web and the CLI build the URLs and
hand over documents, so ``archive cite`` and the cite menu print the same text.
"""

from archive.cite.formats import EXTENSIONS, MEDIA_TYPES, WRITERS, export
from archive.cite.reference import Name, Reference, from_document
from archive.cite.styles import STYLES, render, render_all

FORMATS = tuple(WRITERS) + tuple(STYLES)

__all__ = [
    "EXTENSIONS", "FORMATS", "MEDIA_TYPES", "STYLES", "WRITERS", "Name", "Reference", "export",
    "from_document", "render", "render_all",
]
