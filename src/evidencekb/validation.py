"""Model validation: plain data -> a record's model (``Trial``), with Pydantic errors mapped back to YAML positions.

Pydantic reports locations as paths through the data plus, for unions, the name of the branch tried
(``('p_value', 'float')``). Branch names are dropped by walking the actual data, so every message
points at the key or value the reviewer wrote, and errors from the branches of one union become one
message.
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from evidencekb.diagnostics import Diagnostic, Severity
from evidencekb.loader import Document, Path

_CODES = {
    "extra_forbidden": "unknown-key",
    "missing": "missing-field",
    "literal_error": "invalid-value",
    "enum": "invalid-value",
    "string_pattern_mismatch": "invalid-format",
    "value_error": "invalid-value",
    "assertion_error": "invalid-value",
    "too_short": "too-few-items",
    "string_too_short": "empty-text",
    "string_too_long": "text-too-long",
    "greater_than": "out-of-range",
    "greater_than_equal": "out-of-range",
    "less_than": "out-of-range",
    "less_than_equal": "out-of-range",
    "finite_number": "not-finite",
}

MAX_REPORTED = 1000
"""Places with a schema problem reported per file. A list of empty mappings gives ten 'missing' errors per
item; past this many, validation stops, so that time and output stay bounded."""


def validate_document(document: Document, model: type[BaseModel]) -> tuple[Any, list[Diagnostic]]:
    """Validate against ``model``; values still marked TODO are reported as what to fill in."""
    placeholders = set(document.placeholders)
    diagnostics = [_placeholder(document, loc) for loc in document.placeholders]
    try:
        return model.model_validate(document.data), diagnostics
    except ValidationError as exc:
        return None, diagnostics + _diagnostics(document, exc, placeholders, model)


def _placeholder(document: Document, loc: Path) -> Diagnostic:
    line, column = document.position(loc)
    value = _value_at(document.data, loc)
    hint = str(value)[len("TODO"):].lstrip(" :") or "a value"
    return Diagnostic(document.path, line, column, Severity.ERROR, "placeholder",
                      f"{_dotted(loc)}: still to fill in: {hint}")


def _value_at(data: Any, loc: Path) -> Any:
    for part in loc:
        data = data[part]
    return data


def _diagnostics(document: Document, exc: ValidationError, placeholders: set[Path],
                 model: type[BaseModel]) -> list[Diagnostic]:
    merged: dict[Path, tuple[str, list[str]]] = {}
    errors = exc.errors(include_url=False)
    cut: Diagnostic | None = None
    for index, error in enumerate(errors):
        data_loc = _data_loc(document.data, error["loc"], error["type"])
        if any(data_loc[:i] in placeholders for i in range(len(data_loc) + 1)):
            continue
        if data_loc not in merged and len(merged) == MAX_REPORTED:
            line, column = document.position(data_loc, key=_at_key(_code(error["type"])))
            cut = Diagnostic(document.path, line, column, Severity.ERROR, "too-many-errors",
                             f"validation stopped after {MAX_REPORTED} problems; {len(errors) - index} more"
                             " not shown (fix the ones above first)")
            break
        code, messages = merged.setdefault(data_loc, (_code(error["type"]), []))
        message = _message(document, data_loc, error, model)
        if message not in messages:
            messages.append(message)
    result = []
    for data_loc, (code, messages) in merged.items():
        line, column = document.position(data_loc, key=_at_key(code))
        result.append(Diagnostic(document.path, line, column, Severity.ERROR, code, "; or ".join(messages)))
    return result + ([cut] if cut else [])


def _at_key(code: str) -> bool:
    return code in ("unknown-key", "missing-field")


def _code(error_type: str) -> str:
    if error_type in _CODES:
        return _CODES[error_type]
    if error_type.endswith("_type") or error_type.endswith("_parsing") or error_type.startswith("date"):
        return "wrong-type"
    return error_type.replace("_", "-")


def _data_loc(data: Any, loc: tuple[Any, ...], error_type: str) -> Path:
    """Keep the location components that exist in the data; drop union branch names."""
    kept: list[str | int] = []
    node = data
    for i, part in enumerate(loc):
        is_last = i == len(loc) - 1
        if isinstance(node, dict) and part in node:
            node = node[part]
            kept.append(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
            kept.append(part)
        elif is_last and error_type in ("missing", "extra_forbidden") and isinstance(part, str):
            kept.append(part)
    return tuple(kept)


def _dotted(loc: Path) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "record"


def _message(document: Document, data_loc: Path, error: Any, model: type[BaseModel]) -> str:
    kind = error["type"]
    where = _dotted(data_loc)
    if kind == "extra_forbidden":
        key = str(data_loc[-1])
        allowed = _fields_at(model, data_loc[:-1])
        close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        shown = key if len(key) <= 80 else key[:77] + "..."
        return f"unknown key '{shown}' in {_dotted(data_loc[:-1])}{hint}"
    if kind == "missing":
        return f"missing required field '{data_loc[-1]}' in {_dotted(data_loc[:-1])}"
    given = error.get("input")
    form = _form_hint(data_loc, kind, given)
    if form:
        return f"{where}: {form} (got {_shown(given)})"
    message = error["msg"]
    if kind == "value_error":
        message = message.removeprefix("Value error, ")
    if kind == "literal_error" and isinstance(error.get("input"), str):
        options = [str(v).strip("'") for v in error.get("ctx", {}).get("expected", "").split(", ")]
        options = [o.split("' or '")[-1].strip("'") for o in options] + [
            o.split("' or '")[0].strip("'") for o in options
        ]
        close = difflib.get_close_matches(error["input"], options, n=1, cutoff=0.6)
        if close:
            message += f"; did you mean '{close[0]}'?"
    if kind not in ("value_error", "missing") and not isinstance(given, dict | list):
        message += f" (got {_shown(given)})"
    return f"{where}: {message}"


_PARTIAL_DATE = re.compile(r"^(\d{4})(-\d{2})?$")


def _form_hint(loc: Path, kind: str, given: Any) -> str | None:
    """What to write instead, for text whose form the reviewer is unlikely to guess from Pydantic's words."""
    if not isinstance(given, str):
        return None
    if loc and loc[-1] == "p_value":
        return "write a p-value as a number from 0 to 1 (0.03) or as a bound in quotes, such as '<0.001'"
    if loc and loc[-1] == "acknowledged":
        return (
            "an acknowledgement is a mapping: its 'reason', and under 'accepted' each mismatch as"
            " 'evidencekb check' prints it (statistic, reported, recomputed)"
        )
    partial = _PARTIAL_DATE.match(given)
    if kind.startswith("date") and partial:
        precision, full = ("month", f"{given}-01") if partial.group(2) else ("year", f"{given}-01-01")
        return (
            f"write the full date YYYY-MM-DD; for a date known only to the {precision}, write {full}"
            f" and add 'precision: {precision}' beside 'value'"
        )
    return None


def _shown(given: Any) -> str:
    shown = repr(given)
    return f"{shown[:80]}{'...' if len(shown) > 80 else ''}"


def _fields_at(model: type[BaseModel], loc: Path) -> list[str]:
    """Field names allowed at ``loc`` (for 'did you mean' suggestions)."""
    annotation: Any = model
    for part in loc:
        annotation = _unwrap(annotation)
        if isinstance(part, int):
            args = typing.get_args(annotation)
            annotation = args[0] if args else None
        elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
            field = annotation.model_fields.get(part)
            annotation = field.annotation if field else None
        else:
            return []
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return list(annotation.model_fields)
    return []


def _unwrap(annotation: Any) -> Any:
    """Strip Optional/Annotated so a model or list type remains."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            options = [a for a in typing.get_args(annotation) if a is not type(None)]
            annotation = options[0] if len(options) == 1 else annotation
            if len(options) != 1:
                return annotation
        else:
            return annotation
