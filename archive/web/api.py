"""``/openapi.json``: an OpenAPI 3.1 description of the JSON twins.

The response schemas are generated from the TypedDicts of :mod:`archive.shapes`
(:mod:`archive.web.openapi`); the paths, parameters and status codes are written
here.  The test suite checks real responses against the result, and schemathesis
calls every operation it lists.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify

from archive import shapes
from archive.models import EDITABLE
from archive.web.openapi import components
from archive.web.urls import FACETS, SORTS

bp = Blueprint("api", __name__)


def _s(t: str | list[str], **kw: Any) -> dict[str, Any]:
    return {"type": t, **kw}


def _obj(props: dict[str, Any], required: list[str] | None = None, **kw: Any) -> dict[str, Any]:
    out = {"type": "object", "properties": props, **kw}
    out["required"] = list(props) if required is None else required
    return out


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


STR = _s("string")
STR_N = _s(["string", "null"])
INT = _s("integer")
INT_N = _s(["integer", "null"])
SPANS = _s("array", items=_s("array", items=INT, minItems=2, maxItems=2))

#: The response shapes, generated from :mod:`archive.shapes` (the types the code returns).
SCHEMAS: dict[str, Any] = components(shapes.SCHEMA_TYPES)


def _json(ref: str, description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": _ref(ref)}}}


#: Pages answer in HTML unless the client asks for JSON; so do their errors.
HTML = {"text/html": {"schema": {"type": "string"}}}


def _err(description: str) -> dict[str, Any]:
    out = _json("Error", description)
    out["content"].update(HTML)
    return out


def _page(operation: dict[str, Any]) -> dict[str, Any]:
    """The same operation served at a page URL: HTML by default, JSON on request."""
    op = {**operation, "responses": dict(operation["responses"])}
    ok = op["responses"]["200"]
    op["responses"]["200"] = {**ok, "content": {**ok["content"], **HTML}}
    return op


TWIN_NOTE = ("Every page is also served as JSON for `Accept: application/json`; "
             "the `.json` URL is the same.")

_SEARCH_PARAMS: list[dict[str, Any]] = [
    {"name": "q", "in": "query", "schema": STR, "description": "the query (see the search page"
     "'s syntax help)"},
    *[{"name": f, "in": "query", "schema": _s("array", items=STR), "style": "form",
       "explode": True, "description": f"filter by {f} (repeat for several)"} for f in FACETS],
    {"name": "sort", "in": "query", "schema": _s("string", enum=list(SORTS),
                                                 default="relevance")},
    {"name": "page", "in": "query", "schema": _s("integer", minimum=1, default=1)},
    {"name": "bridge", "in": "query", "schema": _s("string", enum=["0", "1"], default="1"),
     "description": "0 turns off cross-strait vocabulary bridging"},
]
_DOC_PARAMS: list[dict[str, Any]] = [
    {"name": "doc_id", "in": "path", "required": True, "schema": STR},
    {"name": "version", "in": "query", "schema": _s("integer", minimum=1),
     "description": "an older version (default: current)"},
    {"name": "q", "in": "query", "schema": STR, "description": "terms to highlight"},
]
_PASSAGE_PARAMS: list[dict[str, Any]] = [{"name": "passage_id", "in": "path", "required": True, "schema": STR}]
_JOB_PARAMS: list[dict[str, Any]] = [{"name": "job", "in": "query", "schema": _s("array", items=STR),
                "style": "form", "explode": True, "description": "job ids to report on"}]


_PAGE_PARAMS: list[dict[str, Any]] = [*_PASSAGE_PARAMS, {"name": "page", "in": "query", "schema": _s("integer", minimum=1),
                                   "description": "one of the passage's pages (default: its first)"}]
_KWIC_PARAMS: list[dict[str, Any]] = [
    *[p for p in _SEARCH_PARAMS if p["name"] not in ("sort", "page")],
    {"name": "sort", "in": "query", "schema": _s("string", enum=["document", "left", "right", "match"],
                                                 default="document")},
]
_FMT_PARAM = {"name": "fmt", "in": "path", "required": True,
              "schema": _s("string", enum=["bibtex", "ris", "csl"])}
_FILE_TYPES: dict[str, Any] = {"application/x-bibtex": {}, "application/x-research-info-systems": {},
                               "application/vnd.citationstyles.csl+json": {}}
_FILE_RESPONSES = {"200": {"description": "BibTeX, RIS or CSL-JSON", "content": _FILE_TYPES},
                   "404": {"description": "no such document or passage, or an unknown format",
                           "content": {"application/json": {"schema": _ref("Error")}, **HTML}}}


def _twin(summary: str, params: list[dict[str, Any]], ref: str, errors: dict[int, str],
          **extra: Any) -> dict[str, Any]:
    responses = {"200": _json(ref, summary)}
    responses.update({str(code): _err(text) for code, text in errors.items()})
    return {"get": {"summary": summary, "description": TWIN_NOTE, "parameters": params,
                    "responses": responses, **extra}}


def spec() -> dict[str, Any]:
    """The OpenAPI document (server-relative paths)."""
    search = _twin("Search (same JSON as `archive search --json`)", _SEARCH_PARAMS,
                   "SearchResult", {400: "bad parameters"})
    doc = _twin("A document: metadata, versions and its text as blocks", _DOC_PARAMS,
                "DocumentView", {400: "bad version", 404: "no such document or version"})
    passage = _twin("A passage, where its permanent link lands now", _PASSAGE_PARAMS,
                    "PassagePage", {404: "unknown passage id"})
    concordance = _twin("Every occurrence of a query with its contexts (keyword in context)",
                        _KWIC_PARAMS, "Concordance", {400: "a query the search refuses"})
    entity_ops = {kind: _twin(f"The {kind}'s page: documents, years and more", [
        {"name": "name", "in": "path", "required": True, "schema": STR}], "Entity",
        {404: f"no document has this {kind}"}) for kind in ("author", "foundation", "series")}
    pageview = _twin("A passage on its original page: the page image and the passage's boxes",
                     _PAGE_PARAMS, "PageView", {404: "unknown passage id, or a passage without pages",
                                                503: "the page could not be rendered"})
    upload_state = _twin("Upload jobs and their progress (signed-in archivists)",
                         _JOB_PARAMS, "UploadState", {401: "not signed in"})
    upload_state["post"] = {
        "summary": "Queue PDFs for ingest (signed-in archivists; CSRF token required)",
        "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": _obj(
            {"files": _s("array", items=_s("string", format="binary")),
             "csrf_token": STR, "replaces": STR, "password": STR},
            required=["files", "csrf_token"])}}},
        "parameters": [{"name": "X-CSRF-Token", "in": "header", "schema": STR,
                        "description": "instead of the csrf_token form field"}],
        "responses": {"202": _json("UploadState", "queued; poll GET /ingest.json?job=…"),
                      "400": _err("no files, or a missing/wrong CSRF token"),
                      "401": _err("not signed in"),
                      "413": _err("the request is larger than the upload limit")},
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Policy commentary archive",
            "version": "1",
            "description": "JSON twins of the archive's pages. " + TWIN_NOTE
            + " Reading is public unless the instance requires sign-in; writing needs a "
            "signed-in archivist (session cookie from POST /login) and a CSRF token.",
        },
        "paths": {
            "/": {"get": _page(search["get"])},
            "/search.json": search,
            "/d/{doc_id}": {"get": _page(doc["get"])},
            "/d/{doc_id}.json": doc,
            "/d/{doc_id}/original.pdf": {"get": {
                "summary": "The stored original PDF, byte for byte",
                "parameters": [*_DOC_PARAMS[:2], {"name": "download", "in": "query",
                                                  "schema": _s("string", enum=["1"])}],
                "responses": {"200": {"description": "the PDF",
                                      "content": {"application/pdf": {}}},
                              "400": _err("bad version"),
                              "404": _err("no such document or version")}}},
            "/d/{doc_id}/edit": {"post": {
                "summary": "Correct a document's metadata (signed-in archivists); a field sent "
                           "empty is removed, one not sent is left alone",
                "parameters": [_DOC_PARAMS[0]],
                "requestBody": {"required": True, "content": {
                    "application/x-www-form-urlencoded": {"schema": _obj(
                        {"csrf_token": STR, **{f: STR for f in EDITABLE}})}}},
                "responses": {"200": _json("DocumentView", "the corrected document (JSON clients)"),
                              "303": {"description": "corrected (browsers)"},
                              "400": _err("a value that does not validate, nothing to change, "
                                          "or no CSRF token"),
                              "401": _err("not signed in"), "404": _err("no such document")}}},
            "/d/{doc_id}/delete": {"post": {
                "summary": "Delete a document and all its versions (signed-in archivists)",
                "parameters": [_DOC_PARAMS[0]],
                "requestBody": {"required": True, "content": {
                    "application/x-www-form-urlencoded": {"schema": _obj(
                        {"csrf_token": STR, "confirm": _s("string", const="yes")})}}},
                "responses": {"200": {"description": "deleted", "content": {
                    "application/json": {"schema": _obj({"deleted": STR})}}},
                    "400": _err("no confirmation or CSRF token"),
                    "401": _err("not signed in"), "404": _err("no such document")}}},
            "/p/{passage_id}": {"get": _page(passage["get"])},
            "/p/{passage_id}.json": passage,
            "/ingest": {"get": _page(upload_state["get"]), "post": upload_state["post"]},
            "/ingest.json": {"get": upload_state["get"]},
            "/login": {"get": _page({
                "summary": "The sign-in form; its JSON twin says who is signed in",
                "parameters": [{"name": "next", "in": "query", "schema": STR,
                                "description": "a same-site path to go to after signing in"}],
                "responses": {"200": _json("Session", "the form, or who is signed in")}}),
                       "post": {
                "summary": "Sign in (rate-limited); form fields name, password, csrf_token",
                "responses": {"200": _json("Session", "signed in (JSON clients)"),
                              "303": {"description": "signed in (browsers)"},
                              "401": {"description": "wrong name or password",
                                      "content": {"application/json": {
                                          "schema": _ref("Session")}}},
                              "400": _err("missing or wrong CSRF token"),
                              "429": _err("too many attempts; see Retry-After")}}},
            "/feed.atom": {"get": {"summary": "Atom feed of the newest documents, or of a "
                                   "search's matching documents (the search parameters)",
                                   "parameters": [p for p in _SEARCH_PARAMS if p["name"] not in ("sort", "page")],
                                   "responses": {"200": {"description": "Atom",
                                                 "content": {"application/atom+xml": {}}},
                                                 "400": _err("a query the search refuses")}}},
            "/d/{doc_id}/v{version}.txt": {"get": {
                "summary": "A version's text: blocks joined by a blank line (annotation source)",
                "parameters": [_DOC_PARAMS[0], {"name": "version", "in": "path", "required": True,
                                                "schema": _s("integer", minimum=1)}],
                "responses": {"200": {"description": "the text", "content": {"text/plain": {}}},
                              "404": _err("no such document or version")}}},
            "/d/{doc_id}/card.png": {"get": {
                "summary": "The link-preview card (og:image)", "parameters": _DOC_PARAMS[:2],
                "responses": {"200": {"description": "PNG", "content": {"image/png": {}}},
                              "404": _err("no such document or version")}}},
            "/d/{doc_id}/cite.{fmt}": {"get": {
                "summary": "The document as a reference file", "parameters": [
                    *_DOC_PARAMS[:2], _FMT_PARAM],
                "responses": _FILE_RESPONSES}},
            "/p/{passage_id}/cite.{fmt}": {"get": {
                "summary": "The passage (with its pages and permalink) as a reference file",
                "parameters": [*_PASSAGE_PARAMS, _FMT_PARAM], "responses": _FILE_RESPONSES}},
            "/p/{passage_id}.jsonld": {"get": {
                "summary": "The passage's W3C Web Annotation", "parameters": _PASSAGE_PARAMS,
                "responses": {"200": {"description": "the annotation", "content": {
                    "application/ld+json": {"schema": _ref("Annotation")}}},
                    "404": _err("unknown passage id")}}},
            "/export.{fmt}": {"get": {
                "summary": "A search's results as a file (all of them, up to export_max_results)",
                "parameters": [*[p for p in _SEARCH_PARAMS if p["name"] != "page"], {
                    "name": "fmt", "in": "path", "required": True,
                    "schema": _s("string", enum=["csv", "jsonl", "bibtex", "ris", "csl"])}],
                "responses": {"200": {"description": "the results", "content": {
                    "text/csv": {}, "application/x-ndjson": {}, **_FILE_TYPES}},
                    "400": _err("no query, or a query the search refuses"),
                    "404": _err("an unknown format")}}},
            "/concordance": {"get": _page(concordance["get"])},
            "/concordance.json": concordance,
            "/concordance.csv": {"get": {
                "summary": "The concordance as CSV (left, match, right, title, date, page, passage_url)",
                "parameters": _KWIC_PARAMS,
                "responses": {"200": {"description": "CSV", "content": {"text/csv": {}}},
                              "400": _err("no query, or a query the search refuses")}}},
            **{f"/{letter}/{{name}}": {"get": _page(entity_ops[kind]["get"])}
               for kind, letter in (("author", "a"), ("foundation", "f"), ("series", "s"))},
            **{f"/{letter}/{{name}}.json": entity_ops[kind]
               for kind, letter in (("author", "a"), ("foundation", "f"), ("series", "s"))},
            "/p/{passage_id}/page": {"get": _page(pageview["get"])},
            "/p/{passage_id}/page.json": pageview,
            "/p/{passage_id}/page.png": {"get": {
                "summary": "The passage's original page, rendered", "parameters": _PAGE_PARAMS,
                "responses": {"200": {"description": "PNG", "content": {"image/png": {}}},
                              "404": _err("unknown passage id, or a passage without pages"),
                              "503": _err("the page could not be rendered")}}},
            "/robots.txt": {"get": {"summary": "Crawl rules and the sitemap",
                                    "responses": {"200": {"description": "robots.txt",
                                                  "content": {"text/plain": {}}}}}},
            "/sitemap.xml": {"get": {"summary": "Sitemap of every document",
                                     "responses": {"200": {"description": "sitemap",
                                                   "content": {"application/xml": {}}}}}},
        },
        "components": {"schemas": SCHEMAS},
    }


@bp.route("/openapi.json")
def openapi() -> Response:
    return jsonify(spec())
