"""The result shapes agree with the constants the code uses, and generate the OpenAPI schemas."""

from __future__ import annotations

import typing

from archive import models, shapes
from archive.index.engine import FACETS
from archive.web.openapi import components


def _literal(tp: object) -> tuple[object, ...]:
    return typing.get_args(tp)


def test_literals_match_the_models() -> None:
    assert _literal(shapes.BlockType) == models.BLOCK_TYPES
    assert _literal(shapes.Provenance) == models.PROVENANCES
    assert _literal(shapes.EditableField) == models.EDITABLE
    assert tuple(typing.get_type_hints(shapes.Facets)) == tuple(FACETS)


def test_every_shape_becomes_a_schema_with_the_right_required_keys() -> None:
    schemas = components(shapes.SCHEMA_TYPES)
    assert set(schemas) == {t.__name__ for t in shapes.SCHEMA_TYPES}
    assert schemas["Hit"]["required"] == ["id", "title", "passages"]
    assert schemas["Block"]["properties"]["type"]["enum"] == list(models.BLOCK_TYPES)
    assert schemas["DocumentView"]["properties"]["url"]["format"] == "uri"
    assert schemas["Passage"]["properties"]["passage_id"]["type"] == ["string", "null"]
    assert "@context" in schemas["Annotation"]["required"]
    assert schemas["SearchResult"]["description"] == "Exactly what `archive search --json` prints."
