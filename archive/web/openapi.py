"""JSON Schema from :mod:`archive.shapes`' TypedDicts, for ``/openapi.json``.

The service's result types are the single description of the JSON: this module reads
them (``typing.get_type_hints`` with their ``Annotated`` descriptions) and writes
OpenAPI 3.1 schemas, so a field added to a shape is documented by that act.
"""

from __future__ import annotations

import types
import typing
from typing import Annotated, Any, Literal, NotRequired, Required, Union, get_args, get_origin

from archive.shapes import Doc

_PRIMITIVES: dict[Any, str] = {str: "string", int: "integer", float: "number", bool: "boolean"}


def _name(tp: Any) -> str:
    return str(getattr(tp, "__name__", tp))


def schema(tp: Any, refs: frozenset[Any] = frozenset()) -> dict[str, Any]:
    """The JSON Schema of a type hint; a TypedDict in ``refs`` becomes a ``$ref``."""
    origin, args = get_origin(tp), get_args(tp)
    if origin is Annotated:
        out = schema(args[0], refs)
        for meta in args[1:]:
            if isinstance(meta, Doc):
                if meta.text:
                    out["description"] = meta.text
                out.update(meta.extra)
        return out
    if origin in (NotRequired, Required):
        return schema(args[0], refs)
    if tp in _PRIMITIVES:
        return {"type": _PRIMITIVES[tp]}
    if tp is Any:
        return {}
    if origin is Literal:
        return {"type": "string", "const": args[0]} if len(args) == 1 else {"type": "string", "enum": list(args)}
    if origin in (Union, types.UnionType):
        kinds = [a for a in args if a is not type(None)]
        nullable = len(kinds) < len(args)
        if len(kinds) == 1:
            out = schema(kinds[0], refs)
            if nullable and isinstance(out.get("type"), str):
                out["type"] = [out["type"], "null"]
            elif nullable:
                out = {"oneOf": [out, {"type": "null"}]}
            return out
        options = [schema(a, refs) for a in kinds] + ([{"type": "null"}] if nullable else [])
        return {"oneOf": options}
    if origin is list:
        return {"type": "array", "items": schema(args[0], refs)}
    if origin is dict:
        return {"type": "object", "additionalProperties": schema(args[1], refs)}
    if typing.is_typeddict(tp):
        if tp in refs:
            return {"$ref": f"#/components/schemas/{_name(tp)}"}
        return obj(tp, refs)
    raise TypeError(f"no JSON Schema for {tp!r}")


def obj(tp: Any, refs: frozenset[Any]) -> dict[str, Any]:
    """A TypedDict as an object schema: its keys, which are required, its docstring."""
    hints = typing.get_type_hints(tp, include_extras=True)
    total = getattr(tp, "__total__", True)
    required = []
    for key, hint in hints.items():
        origin = get_origin(hint)
        if origin is Required or (total and origin is not NotRequired):
            required.append(key)
    out: dict[str, Any] = {"type": "object",
                           "properties": {k: schema(h, refs) for k, h in hints.items()},
                           "required": required}
    doc = tp.__doc__
    if doc and not doc.startswith(_name(tp) + "("):  # a functional TypedDict's default doc is its signature
        out["description"] = " ".join(doc.split())
    return out


def components(types_: tuple[Any, ...]) -> dict[str, Any]:
    """``components/schemas`` for the named shapes (each refers to the others by ``$ref``)."""
    refs = frozenset(types_)
    return {_name(tp): obj(tp, refs) for tp in types_}
