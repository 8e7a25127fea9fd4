"""The field reference page, generated from the models' JSON Schema (descriptions are written once).

Each object of the record format gets a section with a table of its fields: name, type, whether it
is required, and the description from the model. Types link to the section of the object they name.
"""

from __future__ import annotations

from html import escape
from typing import Any

from evidencekb.models import Trial
from evidencekb.models.question import Question


def field_reference_markdown() -> str:
    schema = Trial.model_json_schema(mode="validation")
    definitions: dict[str, Any] = schema.pop("$defs", {})
    lines = [
        "# Record field reference",
        "",
        "Every field of a trial record, generated from the record models. The same descriptions appear as",
        "tooltips in editors that use the JSON Schema (`schema/trial.schema.json`).",
        "",
    ]
    lines += _section("Trial", schema)
    for name in sorted(definitions):
        lines += _section(name, definitions[name])
    lines += _question_reference(set(definitions))
    return "\n".join(lines) + "\n"


def _question_reference(shared: set[str]) -> list[str]:
    """The fields of a question record; objects it shares with trials (Source, Review) link to theirs."""
    schema = Question.model_json_schema(mode="validation")
    definitions: dict[str, Any] = schema.pop("$defs", {})
    lines = [
        "# Question record fields {#question-records}",
        "",
        "Every field of an evidence question (`content/questions/<slug>.yaml`, JSON Schema",
        "`schema/question.schema.json`).",
        "",
    ]
    lines += _section("Question", schema)
    for name in sorted(set(definitions) - shared):
        lines += _section(name, definitions[name])
    return lines


def _section(name: str, schema: dict[str, Any]) -> list[str]:
    required = set(schema.get("required", []))
    lines = [f"## {name} {{#{_anchor(name)}}}", ""]
    if description := schema.get("description"):
        lines += [_cell(description), ""]
    properties = schema.get("properties", {})
    if not properties:
        return lines
    lines += ["| field | type | required | description |", "|---|---|---|---|"]
    for field, spec in properties.items():
        needed = "yes" if field in required else "no"
        lines.append(f"| `{field}` | {_type(spec)} | {needed} | {_cell(spec.get('description', ''))} |")
    return lines + [""]


def _type(spec: dict[str, Any]) -> str:
    if "$ref" in spec:
        target = spec["$ref"].rsplit("/", 1)[-1]
        return f"[{target}](#{_anchor(target)})"
    if "enum" in spec:
        return " \\| ".join(f"`{value}`" for value in spec["enum"])
    if "const" in spec:
        return f"`{spec['const']}`"
    if "anyOf" in spec:
        return " or ".join(_type(option) for option in spec["anyOf"])
    kind = spec.get("type", "any")
    if kind == "array":
        return f"list of {_type(spec.get('items', {}))}"
    if kind == "string" and "pattern" in spec:
        return "string (pattern)"
    if kind == "string" and spec.get("format") == "date":
        return "date (YYYY-MM-DD)"
    return str(kind)


def _anchor(name: str) -> str:
    return "field-" + name.lower()


def _cell(text: str) -> str:
    return escape(" ".join(text.split()), quote=False).replace("|", "\\|")
