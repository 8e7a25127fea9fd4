"""Safe YAML loading: bytes -> plain data with the source position of every key and value.

The loader never validates a record; it only refuses what is not plain YAML data and reports each
problem as a positioned diagnostic:

* UTF-8 only (a UTF-8 byte-order mark is tolerated), no NUL bytes, a size limit checked before reading;
* PyYAML's composer (the C one when available) builds the node graph, and this module turns nodes
  into Python values itself, so that duplicate keys (at any depth), aliases, merge keys, non-standard
  tags and excessive nesting are errors instead of being silently resolved;
* scalars are typed like YAML 1.2's core schema: ``no``, ``on``, ``0x10``, ``1:30`` and dates stay
  strings, so the model (not the parser) decides what a value may be; an integer with a leading zero
  (``036``), which YAML 1.1 reads as octal, is refused;
* characters that are invisible, reorder text or are invalid in HTML are refused in the file and in
  every value and key (``evidencekb.text_hygiene``).
"""

from __future__ import annotations

import itertools
import os
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from evidencekb.content_rules import RefusedEntry, open_regular
from evidencekb.diagnostics import Diagnostic, Severity
from evidencekb.text_hygiene import describe as describe_character
from evidencekb.text_hygiene import first_forbidden_in_file, first_forbidden_in_text

try:
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - PyYAML wheels ship libyaml
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

MAX_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 64
MAX_NODES = 50_000
"""Values per file (ProDERM has about 1,300): bounds the time spent on a file that is within MAX_BYTES."""
_TOO_MANY_VALUES = f"file has more than {MAX_NODES:,} values; split it or shorten lists"
PLACEHOLDER = "TODO"
"""Values starting with this mark what a reviewer must still fill in (see ``evidencekb new``)."""

Path = tuple[str | int, ...]

_CORE = "tag:yaml.org,2002:"
# Tags PyYAML's YAML 1.1 resolver gives plain scalars; this module re-resolves those by YAML 1.2 rules
# (an explicit tag on a plain scalar is indistinguishable here: quote a value to make it a string).
_IMPLICIT_TAGS = {_CORE + t for t in ("null", "bool", "int", "float", "timestamp", "value", "yaml", "str")}
_INT = re.compile(r"[-+]?[0-9]+")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_NULLS = {"", "~", "null", "Null", "NULL"}
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}
_CONSTANTS: dict[str, Any] = {**dict.fromkeys(_NULLS), **dict.fromkeys(_TRUE, True), **dict.fromkeys(_FALSE, False)}
_PLAIN = (None, "")  # the C composer marks plain scalars with "", Python's with None
_LEADING_ZERO = re.compile(r"[-+]?0[0-9]+")
_DOUBLE_QUOTED = '"'
_NUMBER_START = frozenset("+-.0123456789")
"""First characters of every text that ``_INT`` or ``_FLOAT`` match: other texts skip both patterns."""
_STR, _SEQ, _MAP, _MERGE = (_CORE + t for t in ("str", "seq", "map", "merge"))
_COUNT_FIRST = MAX_NODES
"""Texts longer than this are counted on parser events before composing. A value takes at least two
characters (``1,`` in a flow list, ``-`` and a line break in a block list), so a shorter text cannot
exceed MAX_NODES, and composing it is fast: counting it would only double the parse."""


class _Loader(_BaseLoader):  # type: ignore[misc,valid-type]
    """The safe loader with a constant-time tag resolver for untagged nodes.

    PyYAML's resolver matches every plain scalar against YAML 1.1's patterns, but the builder re-types
    plain scalars by YAML 1.2 rules and only asks whether a tag is one of ``_IMPLICIT_TAGS``. So every
    untagged scalar gets ``str`` (which is one of them), except a plain ``<<``, which keeps the merge tag
    the builder refuses, exactly as PyYAML's resolver gives it. Explicit tags never reach the resolver.
    """

    def resolve(self, kind: type, value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is yaml.ScalarNode:
            return _MERGE if implicit[0] and value == "<<" else _STR
        return _SEQ if kind is yaml.SequenceNode else _MAP


@dataclass
class Document:
    """A parsed YAML file: its data and where each piece came from."""

    path: str
    data: Any
    value_positions: dict[Path, tuple[int, int]] = field(default_factory=dict)
    key_positions: dict[Path, tuple[int, int]] = field(default_factory=dict)
    number_texts: dict[Path, str] = field(default_factory=dict)
    placeholders: list[Path] = field(default_factory=list)
    text: str = ""
    """The decoded file, so that findings inside a long text can point at the very words."""

    def position(self, loc: Path, *, key: bool = False) -> tuple[int, int]:
        """Line and column (1-based) of ``loc``, or of its nearest enclosing element that exists."""
        loc = tuple(loc)
        while loc:
            table = self.key_positions if key and loc in self.key_positions else self.value_positions
            if loc in table:
                return table[loc]
            loc = loc[:-1]
        return self.value_positions.get((), (1, 1))

    def position_in_text(self, loc: Path, phrase: str, occurrence: int = 0) -> tuple[int, int]:
        """Line and column of the ``occurrence``-th ``phrase`` inside the text value at ``loc``.

        Folded and multi-line scalars turn line breaks and indentation into single spaces, so the phrase is
        searched with any run of white space standing for a space. Falls back to the value's position.
        """
        line, column = self.position(loc)
        lines = self.text.split("\n")
        start = sum(len(text) + 1 for text in lines[: line - 1]) + column - 1
        pattern = re.compile(r"\s+".join(re.escape(word) for word in phrase.split()))
        found = list(itertools.islice(pattern.finditer(self.text, start), occurrence + 1))
        if len(found) <= occurrence:
            return line, column
        offset = found[occurrence].start()
        return self.text.count("\n", 0, offset) + 1, offset - self.text.rfind("\n", 0, offset)

    def text_of(self, loc: Path) -> str | None:
        """The characters a number was written with (``79`` vs ``79.0``), to infer its rounding."""
        return self.number_texts.get(tuple(loc))


class _Refused(Exception):
    def __init__(self, code: str, message: str, mark: Any | None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.line = mark.line + 1 if mark is not None else 1
        self.column = mark.column + 1 if mark is not None else 1


def load_file(path: str) -> tuple[Document | None, list[Diagnostic]]:
    """Read and parse one regular file (never a symlink or FIFO); return the document (or None) and its problems."""
    try:
        with open_regular(path) as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > MAX_BYTES:
                message = f"file is {size:,} bytes; the limit is {MAX_BYTES:,}"
                return None, [_file_error(path, "file-too-large", message)]
            raw = handle.read(MAX_BYTES + 1)
    except RefusedEntry as refused:
        return None, [_file_error(path, refused.code, refused.message)]
    except OSError as exc:
        return None, [_file_error(path, "file-unreadable", f"cannot read file: {exc.strerror or exc}")]
    return load_bytes(raw, path)


def load_bytes(raw: bytes, path: str) -> tuple[Document | None, list[Diagnostic]]:
    """Parse YAML bytes; ``path`` is only used in the positions reported."""
    if len(raw) > MAX_BYTES:
        return None, [_file_error(path, "file-too-large", f"file is over the limit of {MAX_BYTES:,} bytes")]
    text, problem = _decode(raw, path)
    if problem:
        return None, [problem]
    if (index := first_forbidden_in_file(text)) is not None:
        line, column = text.count("\n", 0, index) + 1, index - text.rfind("\n", 0, index)
        return None, [Diagnostic(path, line, column, Severity.ERROR, "forbidden-character",
                                 f"character {describe_character(text[index])} is not allowed in records")]
    try:
        if len(text) > _COUNT_FIRST:
            _count_values(text)
        node = yaml.compose(text, Loader=_Loader)
    except _Refused as exc:
        return None, [Diagnostic(path, exc.line, exc.column, Severity.ERROR, exc.code, exc.message)]
    except yaml.MarkedYAMLError as exc:
        return None, [_yaml_error(path, exc, text)]
    except yaml.reader.ReaderError as exc:
        return None, [_reader_error(path, exc, text)]
    except yaml.YAMLError as exc:
        return None, [_file_error(path, "yaml-syntax", f"invalid YAML: {exc}")]
    except RecursionError:
        return None, [_file_error(path, "yaml-too-deep", "nesting is too deep to parse")]
    if node is None:
        return None, [_file_error(path, "empty-file", "file has no YAML content (empty or only comments)")]
    document = Document(path=path, data=None, text=text)
    builder = _Builder(document)
    try:
        document.data = builder.build(node, (), 0, set())
    except _Refused as exc:
        return None, [Diagnostic(path, exc.line, exc.column, Severity.ERROR, exc.code, exc.message)]
    if not isinstance(document.data, dict):
        line, column = document.position(())
        kind = type(document.data).__name__ if document.data is not None else "null"
        return None, [
            Diagnostic(
                path,
                line,
                column,
                Severity.ERROR,
                "root-not-mapping",
                f"a record must be a mapping of keys to values, not a {kind}",
            )
        ]
    return document, builder.problems


def _count_values(text: str) -> None:
    """Refuse more than MAX_NODES values from the parser's events, before composing them.

    Composing takes about five times as long as parsing: counting events first keeps a file of a million
    tiny values (within MAX_BYTES) from taking seconds. Counts like ``_Builder``: values, not keys.
    """
    count = 0
    expecting_key: list[bool | None] = []  # per open collection: None in a list, else "next is a key"
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.CollectionEndEvent):
            expecting_key.pop()
            continue
        if not isinstance(event, yaml.ScalarEvent | yaml.AliasEvent | yaml.CollectionStartEvent):
            continue
        is_key = bool(expecting_key) and expecting_key[-1] is True
        if expecting_key and expecting_key[-1] is not None:
            expecting_key[-1] = not is_key
        if not is_key:
            count += 1
            if count > MAX_NODES:
                raise _Refused("file-too-large", _TOO_MANY_VALUES, event.start_mark)
        if isinstance(event, yaml.CollectionStartEvent):
            expecting_key.append(True if isinstance(event, yaml.MappingStartEvent) else None)


def _decode(raw: bytes, path: str) -> tuple[str, Diagnostic | None]:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "", _file_error(path, "encoding", "file is UTF-16 or UTF-32 encoded; save it as UTF-8")
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    nul = raw.find(b"\x00")
    if nul >= 0:
        line, column = _byte_position(raw, nul)
        return "", Diagnostic(path, line, column, Severity.ERROR, "nul-byte", "file contains a NUL byte (binary data?)")
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        line, column = _byte_position(raw, exc.start)
        message = f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x}); save it as UTF-8"
        return "", Diagnostic(path, line, column, Severity.ERROR, "encoding", message)


def _byte_position(raw: bytes, offset: int) -> tuple[int, int]:
    line_start = raw.rfind(b"\n", 0, offset) + 1
    column = len(raw[line_start:offset].decode("utf-8", errors="replace")) + 1
    return raw.count(b"\n", 0, offset) + 1, column


def _file_error(path: str, code: str, message: str) -> Diagnostic:
    return Diagnostic(path, 1, 1, Severity.ERROR, code, message)


def _yaml_error(path: str, exc: yaml.MarkedYAMLError, text: str) -> Diagnostic:
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    problem = exc.problem or "invalid YAML"
    if _char_at(text, line, column) == "\t":
        return Diagnostic(
            path,
            line,
            column,
            Severity.ERROR,
            "yaml-tab",
            "tab character where YAML expects indentation or a value; indent with spaces",
        )
    if "expected a single document" in str(exc):
        return Diagnostic(
            path,
            line,
            column,
            Severity.ERROR,
            "yaml-multiple-documents",
            "a record file holds exactly one YAML document (remove the extra '---')",
        )
    if "maximum nesting depth" in problem:
        return Diagnostic(
            path,
            line,
            column,
            Severity.ERROR,
            "yaml-too-deep",
            f"nesting is too deep (records need at most {MAX_DEPTH} levels)",
        )
    context = f" {exc.context}" if exc.context else ""
    if exc.context_mark is not None and exc.context and exc.context.startswith("while scanning"):
        # a token the scanner could not finish (a key without ':', an unclosed quote): point at its start
        line, column = exc.context_mark.line + 1, exc.context_mark.column + 1
    elif exc.context_mark is not None and exc.context_mark.line + 1 != line:
        context += f" (started on line {exc.context_mark.line + 1})"
    return Diagnostic(path, line, column, Severity.ERROR, "yaml-syntax", f"invalid YAML:{context} {problem}".strip())


def _reader_error(path: str, exc: yaml.reader.ReaderError, text: str) -> Diagnostic:
    """A character YAML forbids (control characters): the reader gives an offset, so find the character."""
    character = exc.character if isinstance(exc.character, int) else None
    index = text.find(chr(character)) if character is not None else -1
    if index < 0:
        return _file_error(path, "yaml-syntax", f"invalid YAML: {exc.reason}")
    line, column = text.count("\n", 0, index) + 1, index - text.rfind("\n", 0, index)
    return Diagnostic(
        path,
        line,
        column,
        Severity.ERROR,
        "yaml-syntax",
        f"invalid YAML: character U+{character:04X} is not allowed ({exc.reason})",
    )


def _shorten(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _char_at(text: str, line: int, column: int) -> str:
    lines = text.split("\n", line)
    if len(lines) < line:
        return ""
    row = lines[line - 1]
    return row[column - 1] if 0 < column <= len(row) else ""


class _Builder:
    """Turns a node graph into plain data, recording positions and refusing unsafe constructs."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self.nodes = 0
        self.problems: list[Diagnostic] = []
        """Values that are refused but do not stop the loading (the rest of the record is still checked)."""

    def build(self, node: yaml.Node, path: Path, depth: int, seen: set[int]) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _Refused("file-too-large", _TOO_MANY_VALUES, node.start_mark)
        if depth > MAX_DEPTH:
            raise _Refused("yaml-too-deep", f"nesting is deeper than {MAX_DEPTH} levels", node.start_mark)
        identity = id(node)
        if identity in seen:
            raise _Refused(
                "yaml-alias", "anchors and aliases (&name, *name) are not allowed; write values out", node.start_mark
            )
        seen.add(identity)
        mark = node.start_mark
        self.document.value_positions[path] = (mark.line + 1, mark.column + 1)
        if isinstance(node, yaml.ScalarNode):  # most nodes: tested first, plain scalars resolved inline
            if node.style in _PLAIN and node.tag in _IMPLICIT_TAGS:
                return self._resolve_plain(node.value, path)
            if node.style == _DOUBLE_QUOTED:
                self._check_text(node)
            return self._scalar(node, path)
        if isinstance(node, yaml.MappingNode):
            self._check_collection_tag(node, "map")
            return self._mapping(node, path, depth, seen)
        if isinstance(node, yaml.SequenceNode):
            self._check_collection_tag(node, "seq")
            return [self.build(item, (*path, i), depth + 1, seen) for i, item in enumerate(node.value)]
        raise AssertionError(f"unexpected node {node!r}")

    def _check_collection_tag(self, node: yaml.Node, kind: str) -> None:
        if node.tag != _CORE + kind:
            raise _Refused("yaml-tag", f"tag {node.tag!r} is not allowed in records", node.start_mark)

    def _mapping(self, node: yaml.MappingNode, path: Path, depth: int, seen: set[int]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_seen: dict[str, int] = {}
        key_positions = self.document.key_positions
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise _Refused("yaml-complex-key", "mapping keys must be plain names", key_node.start_mark)
            if key_node.tag == _MERGE:
                raise _Refused(
                    "yaml-merge-key", "merge keys ('<<') are not allowed; write the keys out", key_node.start_mark
                )
            if key_node.tag not in _IMPLICIT_TAGS:
                raise _Refused("yaml-tag", f"tag {key_node.tag!r} is not allowed in records", key_node.start_mark)
            key = key_node.value
            if key_node.style == _DOUBLE_QUOTED:
                self._check_text(key_node)
            if key in first_seen:
                raise _Refused(
                    "duplicate-key",
                    f"duplicate key '{_shorten(key)}' (first defined on line {first_seen[key]})",
                    key_node.start_mark,
                )
            mark = key_node.start_mark
            first_seen[key] = mark.line + 1
            child = (*path, key)
            key_positions[child] = (mark.line + 1, mark.column + 1)
            result[key] = self.build(value_node, child, depth + 1, seen)
        return result

    def _scalar(self, node: yaml.ScalarNode, path: Path) -> Any:
        value = node.value
        plain = node.style in _PLAIN
        if plain and node.tag in _IMPLICIT_TAGS:
            return self._resolve_plain(value, path)
        if node.tag == _CORE + "str":
            if value.startswith(PLACEHOLDER):
                self.document.placeholders.append(path)
            return value
        if node.tag in (_CORE + "int", _CORE + "float", _CORE + "bool", _CORE + "null"):
            resolved = self._resolve_plain(value, path)
            expected: dict[str, type | tuple[type, ...]] = {
                "int": int,
                "float": (int, float),
                "bool": bool,
                "null": type(None),
            }
            if isinstance(resolved, expected[node.tag[len(_CORE) :]]):
                return resolved
            raise _Refused("yaml-tag", f"{value!r} is not a valid {node.tag[len(_CORE) :]}", node.start_mark)
        raise _Refused(
            "yaml-tag", f"tag {node.tag!r} is not allowed in records (no custom or Python tags)", node.start_mark
        )

    def _check_text(self, node: yaml.ScalarNode) -> None:
        """Refuse what only an escape can put into a value (the rest is refused in the file's text)."""
        character = first_forbidden_in_text(node.value)
        if character is not None:
            mark = node.start_mark
            message = f"text contains {describe_character(character)}; remove it"
            self.problems.append(Diagnostic(self.document.path, mark.line + 1, mark.column + 1, Severity.ERROR,
                                            "forbidden-character", message))

    def _resolve_plain(self, value: str, path: Path) -> Any:
        if value in _CONSTANTS:
            return _CONSTANTS[value]
        if value[:1] in _NUMBER_START:
            if _INT.fullmatch(value):
                if _LEADING_ZERO.fullmatch(value):
                    self._refuse_leading_zero(value, path)
                try:
                    number = int(value)
                except ValueError:  # more digits than Python converts (sys.get_int_max_str_digits): keep the text
                    return value
                self.document.number_texts[path] = value
                return number
            if _FLOAT.fullmatch(value):
                self.document.number_texts[path] = value
                return float(value)
        if value.startswith(PLACEHOLDER):
            self.document.placeholders.append(path)
        return value

    def _refuse_leading_zero(self, value: str, path: Path) -> None:
        """YAML 1.1 reads ``036`` as the octal number 30, YAML 1.2 as 36: neither reading may be guessed."""
        line, column = self.document.value_positions[path]
        message = f"integer {value} has a leading zero, which YAML 1.1 reads as octal; write {int(value)}"
        self.problems.append(Diagnostic(self.document.path, line, column, Severity.ERROR, "leading-zero", message))
