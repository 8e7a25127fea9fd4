"""Characters a record's text may not contain: invisible, direction-changing or invalid in HTML.

Record text is shown on pages, in the terminal and in pull-request summaries. Some characters change
what a reader sees without being visible themselves, or are invalid in an HTML document:

* control characters other than tab and line feed (U+0000-U+001F, U+007F, and the C1 controls
  U+0080-U+009F such as U+009B, which terminals read as the start of an escape sequence);
* bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069), which reorder
  the text around them ("Trojan Source");
* a byte-order mark (U+FEFF) inside the text, surrogates, noncharacters and private-use characters;
* U+0085, U+2028 and U+2029 written as such in the file: YAML 1.1 reads them as line breaks and
  YAML 1.2 as text, so two parsers disagree about the value.

YAML's reader already refuses most control characters written as such; the double-quoted escapes
(``"\\e"``, ``"\\x9b"``, ``"\\u202e"``) make any of them, so every string value and key is checked too.
"""

from __future__ import annotations

import re
import unicodedata

_FORBIDDEN_EVERYWHERE = (
    "\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff"  # line separators; bidi embeddings, overrides, isolates; BOM
    "\ufdd0-\ufdef"  # noncharacters
    "\ue000-\uf8ff\U000f0000-\U0010ffff"  # private use (and the noncharacters at the ends of planes 15-16)
)
_FORBIDDEN_IN_FILE = re.compile(f"[\u0085{_FORBIDDEN_EVERYWHERE}]")
"""Characters refused where they are written in the file (comments included); YAML's reader refuses
the other control characters, surrogates and U+FFFE/U+FFFF itself."""
_FORBIDDEN_IN_TEXT = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff{_FORBIDDEN_EVERYWHERE}]")
"""Characters refused in a value or key, however they were written (escapes included)."""

_KINDS = (
    (re.compile("[\u0085\u2028\u2029]"), "a line separator YAML 1.1 and 1.2 read differently"),
    (re.compile("[\x00-\x1f\x7f]"), "a control character"),
    (re.compile("[\x80-\x9f]"), "a C1 control character"),
    (re.compile("[\u202a-\u202e\u2066-\u2069]"), "a bidirectional override"),
    (re.compile("\ufeff"), "a byte-order mark"),
    (re.compile("[\ue000-\uf8ff\U000f0000-\U0010fffd]"), "a private-use character"),
)


def first_forbidden_in_file(text: str) -> int | None:
    """Index of the first character refused wherever it is written, or None."""
    match = _FORBIDDEN_IN_FILE.search(text)
    return match.start() if match else None


def first_forbidden_in_text(text: str) -> str | None:
    """The first character a value or key may not contain, or None."""
    match = _FORBIDDEN_IN_TEXT.search(text)
    return match.group() if match else None


def describe(character: str) -> str:
    """``U+202E (RIGHT-TO-LEFT OVERRIDE, a bidirectional override)``: the code point, its name, why."""
    code = f"U+{ord(character):04X}"
    name = unicodedata.name(character, "")
    kind = next((label for pattern, label in _KINDS if pattern.fullmatch(character)), "not a valid character")
    return f"{code} ({name}, {kind})" if name else f"{code} ({kind})"


def printable(text: str) -> str:
    """``text`` with every refused character written as an escape (``\\x1b``, ``\\u202e``), line feeds kept.

    For the terminal and Markdown summaries: an escape sequence or carriage return from a record (or a
    file name) would otherwise move the cursor, recolour or overwrite what the reader sees.
    """
    return _FORBIDDEN_IN_TEXT.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"
