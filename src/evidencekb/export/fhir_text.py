"""Free text from records, made safe for the three kinds of FHIR text element.

FHIR has plain ``string`` elements (titles, ``CodeableConcept.text``, ``Reference.display``), ``markdown``
elements (descriptions, notes, assertions) and XHTML narrative (``text.div``). A record's text goes into
a string element unchanged, into a markdown element with every character that could start markup
backslash-escaped (CommonMark allows a backslash before any ASCII punctuation), and into narrative as
escaped XHTML. So a reviewer's ``<script>`` or ``[link](javascript:...)`` reaches a FHIR consumer as
the characters typed, never as markup.
"""

from __future__ import annotations

import html
import re

_INLINE = re.compile(r"([\\`*_\[\]<>&|~#])")
_LINE_START = re.compile(r"^(\s*)([-+=]|\d+[.)])", re.MULTILINE)


def markdown_text(text: str) -> str:
    """``text`` as markdown that renders to exactly ``text``: inline markup, HTML, headings and list
    markers at a line start are escaped."""
    escaped = _INLINE.sub(r"\\\1", text)
    return _LINE_START.sub(lambda m: m.group(1) + _escape_marker(m.group(2)), escaped)


def _escape_marker(marker: str) -> str:
    return "\\" + marker if not marker[0].isdigit() else marker[:-1] + "\\" + marker[-1]


def narrative(*paragraphs: str) -> dict[str, str]:
    """A generated FHIR Narrative of escaped paragraphs."""
    body = "".join(f"<p>{html.escape(p, quote=False)}</p>" for p in paragraphs)
    return {"status": "generated", "div": f'<div xmlns="http://www.w3.org/1999/xhtml">{body}</div>'}
