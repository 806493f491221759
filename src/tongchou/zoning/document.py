"""Reading a YAML document into a Pydantic model, with errors that name the file and the key
path (``cn-2020-county.yaml: levels[2].when.all[0].window``)."""

from __future__ import annotations

import difflib
import re
import typing
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from tongchou.errors import InputError, Problem

Model = TypeVar("Model", bound=BaseModel)


def read_yaml(path: Path, place: str) -> object:
    """The parsed document, or InputError naming the line of a syntax error."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(
            Problem(place, "file not found", expected="a readable YAML file")
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(Problem(place, f"cannot read the file: {exc}")) from None
    try:
        return yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise InputError(Problem(place, f"not valid YAML: {line}{exc.problem}")) from None
    except yaml.YAMLError as exc:
        raise InputError(Problem(place, f"not valid YAML: {exc}")) from None


def key_path(loc: tuple) -> str:
    """``('levels', 2, 'when', '<all>', 'all', 0, 'window')`` -> ``levels[2].when.all[0].window``;
    union tags (written ``<...>``) are not keys of the document and are left out."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif not str(part).startswith("<"):
            text += f".{part}" if text else str(part)
    return text or "(top)"


def validate_document(model: type[Model], data: object, place: str) -> Model:
    """The document as ``model``, or InputError with one problem per wrong key."""
    if not isinstance(data, dict):
        raise InputError(
            Problem(place, "the document is not a mapping", expected="keys such as id:, levels:")
        )
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        keys = _known_keys(model)
        raise InputError([_problem(place, error, keys) for error in exc.errors()]) from None


def _problem(place: str, error: dict, keys: set[str]) -> Problem:
    loc = error["loc"]
    where = f"{place}: {key_path(loc)}"
    kind = error["type"]
    found = error.get("input")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return Problem(where, "missing key")
    if kind == "extra_forbidden":
        return Problem(where, "unknown key", nearest=_nearest(str(loc[-1]), keys))
    if kind in ("literal_error", "enum"):
        options = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        return Problem(
            where,
            "unknown value",
            value=found,
            expected="one of " + ", ".join(options),
            nearest=_nearest(str(found), options),
        )
    if kind == "string_pattern_mismatch":
        return Problem(where, "malformed value", value=found, expected=_pattern_words(ctx))
    if kind == "too_short":
        return Problem(where, "too few items", expected=f"at least {ctx.get('min_length')}")
    expected = _EXPECTED.get(kind)
    if expected:
        return Problem(where, "wrong type", value=found, expected=expected)
    # Our own checks (positive integer, number, comparison) already word their message.
    return Problem(where, error["msg"], value=None if isinstance(found, dict | list) else found)


_EXPECTED = {
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "list_type": "a list",
    "string_type": "text",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "int_type": "an integer",
    "int_parsing": "an integer",
    "float_type": "a number",
    "float_parsing": "a number",
}


def _pattern_words(ctx: dict) -> str:
    pattern = str(ctx.get("pattern", ""))
    if pattern.startswith("^#"):
        return "a colour such as '#d32f2f'"
    return "a name of letters, digits, '_' or '-', starting with a letter"


def _nearest(word: str, options) -> str | None:
    found = difflib.get_close_matches(word, list(options), n=1, cutoff=0.5)
    return found[0] if found else None


def _known_keys(model: type[BaseModel], seen: set | None = None) -> set[str]:
    """Every key any model of the document accepts, to suggest the nearest to a misspelling."""
    seen = set() if seen is None else seen
    if model in seen:
        return set()
    seen.add(model)
    keys: set[str] = set()
    for name, field in model.model_fields.items():
        keys.add(field.alias or name)
        for inner in _models_in(field.annotation):
            keys |= _known_keys(inner, seen)
    return keys


def _models_in(annotation) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found = []
    for arg in typing.get_args(annotation):
        found.extend(_models_in(arg))
    return found
