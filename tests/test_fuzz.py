"""Fuzzing the pipeline with random mutations of the ProDERM record (Hypothesis).

Each example replaces values anywhere in the record with something hostile or merely wrong (other
types, negative or huge numbers, markup, deep structures), dumps it back to YAML and runs loading,
validation, semantic checks, recomputation, the audit and the trial-page renderer. Nothing may raise:
every problem must come back as a positioned diagnostic, and markup from the record must reach the
page only escaped. ``make fuzz`` runs many more examples (EVIDENCEKB_FUZZ_EXAMPLES).
"""

from __future__ import annotations

import os
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evidencekb.pipeline import check_record
from evidencekb.render import TrialContext, render_trial_page

EXAMPLES = int(os.environ.get("EVIDENCEKB_FUZZ_EXAMPLES", "60"))
PRODERM = yaml.safe_load(Path("content/trials/proderm.yaml").read_text(encoding="utf-8"))
HOSTILE_TEXT = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "javascript:alert(1)",
    "]]><!--",
    "{{ 7*7 }}",
    "**bold** [link](javascript:alert(1))",
    "\u202e\u0000x",
    "",
]


class _ActiveMarkup(HTMLParser):
    """Collects what a browser would run: script elements, on* handlers, javascript:/data: links."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "iframe", "object", "embed"):
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            link = (value or "").strip().lower()
            if name.startswith("on") or (name in ("href", "src") and link.startswith(("javascript:", "data:"))):
                self.found.append(f"<{tag} {name}={value!r}>")


def active_markup(page: str) -> list[str]:
    parser = _ActiveMarkup()
    parser.feed(page)
    return parser.found


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(data, dict):
        for key, value in data.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            found += _paths(value, (*prefix, i))
    return found


PATHS = _paths(PRODERM)

values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**12), max_value=10**12)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from(HOSTILE_TEXT)
    | st.text(max_size=30),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=8,
)


def _replace(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(data, dict):
        return {k: (_replace(v, rest, value) if k == head else v) for k, v in data.items()}
    return [(_replace(v, rest, value) if i == head else v) for i, v in enumerate(data)]


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutations=st.lists(st.tuples(st.sampled_from(PATHS), values), min_size=1, max_size=3))
def test_mutated_record_never_raises(mutations: list[tuple[tuple[Any, ...], Any]], input_log: Any) -> None:
    data = PRODERM
    for path, value in mutations:
        try:
            data = _replace(data, path, value)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed this path
    raw = yaml.dump(data, Dumper=yaml.CSafeDumper, allow_unicode=True).encode("utf-8")

    def pipeline() -> None:
        record = check_record("proderm.yaml", raw, consistency=True)
        for diagnostic in record.diagnostics:
            assert diagnostic.line >= 1 and diagnostic.column >= 1
        if record.trial is not None and record.document is not None and record.computed is not None:
            record.computed.to_dict()
            page = render_trial_page(TrialContext(record.trial, record.computed, record.document.number_texts))
            assert active_markup(page) == []

    input_log.run("mutated proderm.yaml", pipeline)


def _string_paths(data: Any) -> list[tuple[Any, ...]]:
    found = []
    for path in PATHS:
        value = data
        for part in path:
            value = value[part]
        if isinstance(value, str):
            found.append(path)
    return found


def test_markup_in_every_text_field_reaches_the_page_escaped() -> None:
    """Put markup in every string the model accepts it in, all at once, and render the page."""
    payload = '<script>alert(1)</script><img src=x onerror="alert(1)"> [x](javascript:alert(1))'
    data = PRODERM
    accepted = 0
    for path in _string_paths(PRODERM):
        candidate = _replace(data, path, payload)
        raw = yaml.dump(candidate, Dumper=yaml.CSafeDumper, allow_unicode=True).encode("utf-8")
        if check_record("proderm.yaml", raw).valid:  # accepted by the schema and the rules
            data, accepted = candidate, accepted + 1
    record = check_record("proderm.yaml", yaml.dump(data, Dumper=yaml.CSafeDumper, allow_unicode=True).encode("utf-8"),
                          compute=True)
    assert record.trial is not None and record.document is not None and record.computed is not None
    assert accepted > 100  # every free-text field: titles, labels, definitions, claims, notes, ...
    texts = record.document.number_texts
    page = render_trial_page(TrialContext(record.trial, record.computed, texts))
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 50
    assert active_markup(page) == []
    assert active_markup(page.replace("&lt;", "<").replace("&gt;", ">").replace("&#34;", '"')) != []  # the check bites
