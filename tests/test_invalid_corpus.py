"""The invalid-input corpus: every bad input gets positioned diagnostics with the right codes, quickly.

Each file in ``corpus/invalid/`` begins with comment lines that state exactly what it must produce::

    # expect: CODE LINE[:COLUMN] [warning] [| text the message contains]

one line per diagnostic, no more and no fewer. Inputs that cannot carry such a comment (empty, binary,
other encodings, huge or deeply nested files) are built at test time by ``GENERATED`` below. Every input
must be handled without an exception and without hanging (``HANG_SECONDS`` is a guard against a hang or
a runaway parse, far above the seconds any input takes; speed is measured by ``make bench``), with
one-line messages of bounded length.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evidencekb import loader
from evidencekb.catalogue import CATALOGUE
from evidencekb.cli import main
from evidencekb.diagnostics import Diagnostic, Severity
from evidencekb.pipeline import check_paths
from evidencekb.validation import MAX_REPORTED

REPO = Path(__file__).resolve().parent.parent
CORPUS = Path(__file__).resolve().parent / "corpus"
INVALID = CORPUS / "invalid"
VALID = CORPUS / "valid"
MINIMAL = (VALID / "minimal.yaml").read_text(encoding="utf-8")
HANG_SECONDS = 60.0
MAX_MESSAGE = 300

_EXPECT = re.compile(
    r"# expect: (?P<code>[a-z0-9-]+) (?P<line>\d+)(?::(?P<column>\d+))?(?P<warning> warning)?"
    r"(?: \| (?P<text>.+))?"
)


@dataclass(frozen=True)
class Expected:
    code: str
    line: int
    column: int | None = None
    severity: str = "error"
    text: str | None = None

    def matches(self, d: Diagnostic) -> bool:
        return (
            d.code == self.code
            and d.line == self.line
            and (self.column is None or d.column == self.column)
            and d.severity.value == self.severity
            and (self.text is None or self.text in d.message)
        )

    def __str__(self) -> str:
        where = f"{self.line}:{self.column}" if self.column is not None else f"{self.line}"
        containing = f" containing {self.text!r}" if self.text else ""
        return f"{self.severity}[{self.code}] at {where}{containing}"


def read_expectations(path: Path) -> list[Expected]:
    """The ``# expect:`` lines of the comment block that opens a corpus file."""
    expected = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        if line.startswith("# expect:"):
            match = _EXPECT.fullmatch(line)
            assert match, f"{path.name}: malformed expectation {line!r}"
            column = match["column"]
            expected.append(Expected(match["code"], int(match["line"]), int(column) if column else None,
                                     "warning" if match["warning"] else "error", match["text"]))
    return expected


def assert_exactly(diagnostics: list[Diagnostic], expected: Iterable[Expected]) -> None:
    """Each expectation matches one diagnostic, and no diagnostic is left over."""
    buckets: dict[tuple[str, int], list[Diagnostic]] = defaultdict(list)
    for d in diagnostics:
        buckets[(d.code, d.line)].append(d)
    missing = []
    for e in expected:
        bucket = buckets[(e.code, e.line)]
        index = next((i for i, d in enumerate(bucket) if e.matches(d)), None)
        if index is None:
            missing.append(e)
        else:
            bucket.pop(index)
    extra = [d for bucket in buckets.values() for d in bucket]
    report = [f"missing: {e}" for e in missing[:20]] + [
        f"unexpected: {d.severity.value}[{d.code}] at {d.line}:{d.column}: {d.message}" for d in extra[:20]
    ]
    assert not missing and not extra, "\n".join(report)


def assert_well_formed(diagnostics: list[Diagnostic], path: Path, data: bytes) -> None:
    """Positions inside the file, one short line of message each."""
    lines = data.count(b"\n") + 1
    for d in diagnostics:
        assert d.path == str(path)
        assert 1 <= d.line <= lines, f"line {d.line} outside a file of {lines} lines: {d}"
        assert d.column >= 1, d
        assert d.message and "\n" not in d.message, d
        assert len(d.message) <= MAX_MESSAGE, f"{d.code}: message of {len(d.message)} characters"
        assert d.code in CATALOGUE and CATALOGUE[d.code].severity == d.severity, f"{d.code} is not catalogued"


def check_one(path: Path, input_log) -> tuple[list[Diagnostic], float]:
    """Every diagnostic of the file, the audit's included (as ``validate --consistency`` reports them)."""
    (records, problems), seconds = input_log.run(path.name, lambda: check_paths([str(path)], consistency=True))
    return problems + [d for r in records for d in r.diagnostics], seconds


# ------------------------------------------------------------------------------------ the YAML corpus

CASE_FILES = sorted(INVALID.glob("*.yaml"))


def test_corpus_is_complete_and_well_formed() -> None:
    assert len(CASE_FILES) >= 100
    codes = set()
    for path in CASE_FILES:
        expected = read_expectations(path)
        assert expected, f"{path.name} states no '# expect:' line"
        codes.update(e.code for e in expected)
        text = path.read_text(encoding="utf-8")
        id_line = re.search(r"^id: (.*)$", text, re.MULTILINE)
        if id_line:  # the id equals the file stem, unless the id is what the case is about
            line = text.count("\n", 0, id_line.start()) + 1
            assert id_line[1] == path.stem or any(e.line == line for e in expected), path.name
    required = """yaml-syntax yaml-tab duplicate-key yaml-alias yaml-merge-key yaml-tag yaml-complex-key
        root-not-mapping empty-file yaml-multiple-documents yaml-too-deep unknown-key missing-field wrong-type
        out-of-range not-finite invalid-value invalid-format invalid-identifier impossible-count
        count-exceeds-denominator flow-mismatch percent-mismatch ci-order ci-excludes-estimate unknown-source
        unknown-reference duplicate-id duplicate-group id-mismatch date-order result-type-mismatch arm-periods
        unused-source placeholder empty-text text-too-long too-few-items forbidden-character leading-zero
        median-outside-ci mean-outside-scale population-too-large review-in-future crossover-comparison
        estimate-mismatch ci-not-reproduced p-value-mismatch grim-inconsistent""".split()
    assert sorted(set(required) - codes) == []


ASSERTED_ELSEWHERE = {
    "file-not-found": "test_validate_cli.py",  # a path, not a file's content
    "file-unreadable": "test_loader.py",  # needs file permissions
    "duplicate-trial": "test_invalid_corpus.py",  # two files: test_duplicate_trial_ids_across_files
    "schema-stale": "test_validate_cli.py",  # the schema command
    "registry-other-study": "test_registry_check.py",  # check --registry, against a registry entry
    "registry-difference": "test_registry_check.py",
    "registry-missing-outcome": "test_registry_check.py",
    "registry-unversioned": "test_registry_check.py",
    "registry-newer-version": "test_registry_check.py",
    "symlink": "test_content_folder.py",  # entries of a folder, not a file's content
    "not-regular-file": "test_content_folder.py",
    "not-a-record": "test_content_folder.py",
    "pool-file": "test_pool_cli.py",  # the pool command's study tables, not records
    "pool-no-studies": "test_pool_cli.py",
    "pool-unknown-column": "test_pool_cli.py",
    "pool-missing-column": "test_pool_cli.py",
    "pool-bad-value": "test_pool_cli.py",
    "pool-duplicate-study": "test_pool_cli.py",
    **{code: "test_questions.py" for code in (  # questions read trial records: a content folder, not one file
        "duplicate-question", "question-analysis", "question-unknown-trial", "question-draft-trial",
        "question-study-item",
        "question-unknown-endpoint", "question-measure-mismatch", "question-crossover-data", "question-no-data",
        "question-grade-signal")},
    "review-overdue": "test_history.py",  # depends on the date of the check
}


def test_every_catalogued_code_is_raised_at_its_position() -> None:
    """Each code of the catalogue is expected, at a line and column, by a corpus case (or one named test)."""
    positioned = {e.code for path in CASE_FILES for e in read_expectations(path) if e.column is not None}
    positioned |= {e.code for name, build in GENERATED.items() for e in build(name)[1] if e.column is not None}
    for code, test_file in ASSERTED_ELSEWHERE.items():
        assert f"error[{code}]" in (REPO / "tests" / test_file).read_text(encoding="utf-8") or \
            f'"{code}"' in (REPO / "tests" / test_file).read_text(encoding="utf-8"), code
    assert sorted(set(CATALOGUE) - positioned - set(ASSERTED_ELSEWHERE)) == []


@pytest.mark.parametrize("path", CASE_FILES, ids=[p.stem for p in CASE_FILES])
def test_invalid_case(path: Path, input_log, capsys, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)  # nothing in the corpus may create files (see python-tag.yaml)
    expected = read_expectations(path)
    diagnostics, seconds = check_one(path, input_log)
    assert seconds < HANG_SECONDS
    assert_well_formed(diagnostics, path, path.read_bytes())
    assert_exactly(diagnostics, expected)

    warnings_only = all(e.severity == "warning" for e in expected)
    assert main(["validate", "--consistency", str(path)]) == (0 if warnings_only else 1)
    default = capsys.readouterr()
    assert main(["validate", "--consistency", "--strict", str(path)]) == 1
    strict = capsys.readouterr()
    for e in expected:
        column = f"{e.column}" if e.column is not None else r"\d+"
        where = rf"^{re.escape(str(path))}:{e.line}:{column}: "
        assert re.search(rf"{where}{e.severity}\[{e.code}\]: ", default.out, re.MULTILINE), default.out
        assert re.search(rf"{where}error\[{e.code}\]: ", strict.out, re.MULTILINE), strict.out
    assert "Traceback" not in default.out + default.err + strict.out + strict.err
    assert list(tmp_path.iterdir()) == []


def test_valid_corpus_has_no_diagnostics(input_log) -> None:
    """The base of the invalid cases, markup in text, YAML 1.1 words: all valid, even under --strict."""
    paths = sorted(VALID.glob("*.yaml"))
    assert {p.stem for p in paths} >= {"minimal", "html-in-text", "yaml11-strings"}
    for path in paths:
        diagnostics, _ = check_one(path, input_log)
        assert diagnostics == [], path.name
    assert main(["validate", "--strict", "--quiet", str(VALID)]) == 0


def test_duplicate_trial_ids_across_files(tmp_path: Path) -> None:
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "minimal.yaml").write_text(MINIMAL, encoding="utf-8")
    records, problems = check_paths([str(tmp_path)])
    assert [r.diagnostics for r in records] == [[], []]
    assert [(d.path, d.line, d.column, d.code) for d in problems] == [
        (str(tmp_path / "b" / "minimal.yaml"), 3, 5, "duplicate-trial")
    ]
    assert str(tmp_path / "a" / "minimal.yaml") in problems[0].message


# ------------------------------------------------------------------------- inputs built at test time

def _record(name: str) -> str:
    return MINIMAL.replace("id: minimal\n", f"id: {name}\n", 1)


def _at(text: str, fragment: str, offset: int = 0) -> tuple[int, int]:
    """1-based line and column of ``fragment`` (plus ``offset`` characters) in ``text``."""
    index = text.index(fragment) + offset
    return text.count("\n", 0, index) + 1, index - text.rfind("\n", 0, index)


def _error(code: str, position: tuple[int, int] | int, text: str | None = None) -> Expected:
    if isinstance(position, int):
        return Expected(code, position, None, "error", text)
    return Expected(code, position[0], position[1], "error", text)


def _replaced(name: str, old: str, new: str) -> str:
    text = _record(name)
    assert text.count(old) == 1
    return text.replace(old, new)


def _bytes_case(
    name: str, old: bytes, new: bytes, code: str, at: bytes, text: str
) -> tuple[bytes, list[Expected]]:
    data = _record(name).encode()
    assert data.count(old) == 1
    data = data.replace(old, new)
    index = data.index(at)
    line_start = data.rfind(b"\n", 0, index) + 1
    column = len(data[line_start:index].decode("utf-8", errors="replace")) + 1
    return data, [Expected(code, data.count(b"\n", 0, index) + 1, column, "error", text)]


def _too_large_50mb(name: str) -> tuple[bytes, list[Expected]]:
    head = _record(name).encode()
    size = 50 * 1024 * 1024
    padding = b"# padding\n" * ((size - len(head)) // 10)
    data = head + padding + b"#" * (size - len(head) - len(padding))
    return data, [_error("file-too-large", (1, 1), "52,428,800 bytes")]


def _over_limit_by_one(name: str) -> tuple[bytes, list[Expected]]:
    head = _record(name).encode()
    data = head + b"#" * (loader.MAX_BYTES + 1 - len(head))
    return data, [_error("file-too-large", (1, 1))]


def _nested(name: str, opening: str, closing: str) -> tuple[bytes, list[Expected]]:
    nested = opening * 100_000 + closing * 100_000
    text = _replaced(name, "short_name: MINI\n", f"short_name: MINI\nkeywords: {nested}\n")
    return text.encode(), [_error("yaml-too-deep", _at(text, "keywords:")[0])]


def _nested_block(name: str) -> tuple[bytes, list[Expected]]:
    text = _replaced(name, "conditions: [dermatomyositis]\n",
                     "conditions: [dermatomyositis]\nkeywords:\n  " + "- " * 100_000 + "deep\n")
    return text.encode(), [_error("yaml-too-deep", _at(text, "  - - -")[0])]


def _long_value(name: str) -> tuple[bytes, list[Expected]]:
    text = _replaced(name, "title: A minimal placebo-controlled trial", "title: " + "T" * 1_000_000)
    return text.encode(), [_error("text-too-long", _at(text, "title: ", 7), "at most 20000 characters")]


def _long_key(name: str) -> tuple[bytes, list[Expected]]:
    text = _replaced(name, "short_name: MINI\n", "short_name: MINI\n? " + "k" * 1_000_000 + "\n: 1\n")
    return text.encode(), [_error("unknown-key", _at(text, "? kkk", 2), "unknown key 'kkkkk")]


def _huge_integer(name: str) -> tuple[bytes, list[Expected]]:
    text = _replaced(name, "[drug], randomized: 50", "[drug], randomized: " + "9" * 5000)
    return text.encode(), [_error("wrong-type", _at(text, "randomized: 999", 12), "valid integer")]


def _many_keys(name: str) -> tuple[bytes, list[Expected]]:
    """2 MB of keys: refused at the value that passes the node limit, before any validation."""
    data = "".join(f"k{i}: 1\n" for i in range(190_000)).encode()
    assert len(data) <= loader.MAX_BYTES
    key = f"k{loader.MAX_NODES - 1}: "  # node 1 is the root mapping, node n + 1 the value of key n - 1
    message = f"more than {loader.MAX_NODES:,} values"
    return data, [_error("file-too-large", (loader.MAX_NODES, len(key) + 1), message)]


def _many_items(name: str) -> tuple[bytes, list[Expected]]:
    """A flow list of a million one-letter items: the most nodes that fit in MAX_BYTES."""
    data = b"conditions: [" + b"a," * 999_000 + b"a]\n"
    assert len(data) <= loader.MAX_BYTES
    column = len("conditions: [") + 1 + 2 * (loader.MAX_NODES - 2)  # root and list come first
    return data, [_error("file-too-large", (1, column))]


def _many_unknown_keys(name: str) -> tuple[bytes, list[Expected]]:
    """40,000 misspelt keys: the first MAX_REPORTED are reported, then validation stops."""
    keys = "".join(f"x{i}: 1\n" for i in range(40_000))
    text = _replaced(name, "short_name: MINI\n", "short_name: MINI\n" + keys)
    first = _at(text, "x0: 1")[0]
    reported = [_error("unknown-key", (first + i, 1), f"key 'x{i}' in record") for i in range(MAX_REPORTED)]
    stop = _error("too-many-errors", (first + MAX_REPORTED, 1), f"; {40_000 - MAX_REPORTED} more not shown")
    return text.encode(), [*reported, stop]


def _empty_mappings(name: str) -> tuple[bytes, list[Expected]]:
    """20,000 empty endpoints, ten missing fields each: 200,000 problems, of which MAX_REPORTED are shown."""
    text = _replaced(name, "endpoints:\n", "endpoints:\n" + "  - {}\n" * 20_000)
    first = _at(text, "  - {}")[0]
    fields = 10  # required fields of an endpoint
    reported = [_error("missing-field", (first + i // fields, 5), f"in endpoints[{i // fields}]")
                for i in range(MAX_REPORTED)]
    more = 20_000 * fields - MAX_REPORTED
    stop = _error("too-many-errors", (first + MAX_REPORTED // fields, 5), f"{more} more")
    return text.encode(), [*reported, stop]


def _placeholders_and_errors(name: str) -> tuple[bytes, list[Expected]]:
    """24,000 values still marked TODO and 24,000 wrong types (each error is checked against the TODOs)."""
    text = _replaced(name, "conditions: [dermatomyositis]\n",
                     "conditions: [" + "1, " * 23_999 + "1]\nkeywords: [" + "TODO, " * 23_999 + "TODO]\n")
    conditions, keywords = _at(text, "conditions: ["), _at(text, "keywords: [")
    todo = [_error("placeholder", (keywords[0], 12 + 6 * i), f"keywords[{i}]: still") for i in range(24_000)]
    wrong = [_error("wrong-type", (conditions[0], 14 + 3 * i), f"[{i}]") for i in range(MAX_REPORTED)]
    stop = _error("too-many-errors", (conditions[0], 14 + 3 * MAX_REPORTED))
    return text.encode(), [*todo, *wrong, stop]


def _dangling_references(name: str) -> tuple[bytes, list[Expected]]:
    """24,000 references to unknown treatments among 6,000 known ones (each message lists known ids)."""
    treatments = "".join(f"  - {{id: t{i}, label: T, role: comparator}}\n" for i in range(6000))
    unknown = "".join(f"      z{i},\n" for i in range(24_000))
    text = _replaced(name, "treatments:\n", "treatments:\n" + treatments)
    arm = "role: intervention, treatments: [drug], randomized: 50, source: paper}\n"
    block = "role: intervention, randomized: 50, source: paper,\n     treatments: [\n"
    text = text.replace(arm, block + unknown + "     ]}\n")
    first = _at(text, "      z0,\n")[0]
    known = "(known: drug, placebo, t0, t1, t10, t100, t1000, t1001, t1002, t1003, t1004, t1005)"
    expected = [_error("unknown-reference", (first + i, 7), f"'z{i}' {known}") for i in range(24_000)]
    return text.encode(), [*expected, _error("arm-periods", (first - 1, 18), "lists 24000 treatments")]


MINIMAL_TITLE = b"title: A minimal"
GENERATED: dict[str, Callable[[str], tuple[bytes, list[Expected]]]] = {
    "empty": lambda name: (b"", [_error("empty-file", (1, 1))]),
    "blank-lines": lambda name: (b"\n   \n\n", [_error("empty-file", (1, 1))]),
    "invalid-utf8": lambda name: _bytes_case(name, MINIMAL_TITLE, b"title: Caf\xe9 minimal", "encoding",
                                             b"\xe9", "byte 0xe9"),
    "truncated-utf8-at-end": lambda name: (
        _record(name).encode() + b"# \xe2\x82",
        [_error("encoding", (MINIMAL.count("\n") + 1, 3), "byte 0xe2")],
    ),
    "utf16-le-bom": lambda name: (_record(name).encode("utf-16"), [_error("encoding", (1, 1), "UTF-16")]),
    "utf16-be-bom": lambda name: (b"\xfe\xff" + _record(name).encode("utf-16-be"),
                                  [_error("encoding", (1, 1), "UTF-16")]),
    "utf32-bom": lambda name: (_record(name).encode("utf-32"), [_error("encoding", (1, 1), "or UTF-32")]),
    "utf16-without-bom": lambda name: (_record(name).encode("utf-16-le"), [_error("nul-byte", (1, 2))]),
    "nul-byte": lambda name: _bytes_case(name, MINIMAL_TITLE, b"title: A\x00minimal", "nul-byte", b"\x00",
                                         "NUL byte"),
    "control-character": lambda name: _bytes_case(name, MINIMAL_TITLE, b"title: A\x07minimal", "yaml-syntax",
                                                  b"\x07", "U+0007"),
    "escape-in-comment": lambda name: _bytes_case(name, b"status: draft\n", b"status: draft  # \x1b[31mred\n",
                                                  "yaml-syntax", b"\x1b", "U+001B"),
    "noncharacter": lambda name: _bytes_case(name, MINIMAL_TITLE, "title: A\ufffeminimal".encode(),
                                             "yaml-syntax", "\ufffe".encode(), "U+FFFE"),
    "bidi-override-in-comment": lambda name: _bytes_case(
        name, b"status: draft\n", "status: draft  # \u202e}aert eht si siht{\n".encode(), "forbidden-character",
        "\u202e".encode(), "U+202E (RIGHT-TO-LEFT OVERRIDE, a bidirectional override)"),
    "line-separator-in-value": lambda name: _bytes_case(
        name, MINIMAL_TITLE, "title: A\u2028minimal".encode(), "forbidden-character", "\u2028".encode(),
        "U+2028 (LINE SEPARATOR, a line separator YAML 1.1 and 1.2 read differently)"),
    "nel-in-value": lambda name: _bytes_case(name, MINIMAL_TITLE, "title: A\x85minimal".encode(),
                                             "forbidden-character", "\x85".encode(), "U+0085"),
    "private-use-in-value": lambda name: _bytes_case(name, MINIMAL_TITLE, "title: A\U000f0001minimal".encode(),
                                                     "forbidden-character", "\U000f0001".encode(), "U+F0001"),
    "bom-inside-file": lambda name: _bytes_case(name, MINIMAL_TITLE, "title: A\ufeffminimal".encode(),
                                                "forbidden-character", "\ufeff".encode(), "U+FEFF"),
    "too-large-50mb": _too_large_50mb,
    "over-limit-by-one-byte": _over_limit_by_one,
    "nesting-100000-lists": lambda name: _nested(name, "[", "]"),
    "nesting-100000-mappings": lambda name: _nested(name, "{a: ", "}"),
    "nesting-100000-block-lists": _nested_block,
    "line-of-1mb-in-value": _long_value,
    "line-of-1mb-in-key": _long_key,
    "integer-of-5000-digits": _huge_integer,
    "keys-2mb": _many_keys,
    "list-items-2mb": _many_items,
    "unknown-keys-40000": _many_unknown_keys,
    "empty-mappings-20000": _empty_mappings,
    "placeholders-and-errors-24000": _placeholders_and_errors,
    "dangling-references-24000": _dangling_references,
}
HEAVY = {
    "too-large-50mb", "keys-2mb", "list-items-2mb", "unknown-keys-40000", "dangling-references-24000",
    "empty-mappings-20000", "placeholders-and-errors-24000",
}
"""Left out of the subprocess run (their timing is checked in-process)."""


@pytest.mark.parametrize("name", list(GENERATED))
def test_generated_case(name: str, tmp_path: Path, input_log) -> None:
    data, expected = GENERATED[name](name)
    path = tmp_path / f"{name}.yaml"
    path.write_bytes(data)
    diagnostics, seconds = check_one(path, input_log)
    assert seconds < HANG_SECONDS, f"{name} took {seconds:.2f} s"
    assert_well_formed(diagnostics, path, data)
    assert_exactly(diagnostics, expected)


def test_python_tag_runs_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    records, _ = check_paths([str(INVALID / "python-tag.yaml")])
    assert [d.code for d in records[0].diagnostics] == ["yaml-tag"]
    assert not (tmp_path / "pwned-by-yaml").exists()


def test_one_process_reports_every_bad_file(tmp_path: Path) -> None:
    """A real ``python -m evidencekb validate`` over a folder of bad files: one bad file hides no other."""
    folder = tmp_path / "inputs"
    shutil.copytree(INVALID, folder / "corpus")
    shutil.copytree(VALID, folder / "valid")
    (folder / "generated").mkdir()
    expected: dict[str, list[Expected]] = {}
    for path in sorted((folder / "corpus").glob("*.yaml")):
        expected[str(path)] = read_expectations(path)
    for name, build in GENERATED.items():
        if name not in HEAVY:
            data, expected[str(folder / "generated" / f"{name}.yaml")] = build(name)
            (folder / "generated" / f"{name}.yaml").write_bytes(data)
    data, _ = _too_large_50mb("too-large-50mb")  # huge, but refused before reading: keep it in the run
    (folder / "generated" / "too-large-50mb.yaml").write_bytes(data)
    expected[str(folder / "generated" / "too-large-50mb.yaml")] = [_error("file-too-large", (1, 1))]

    proc = subprocess.run(
        [sys.executable, "-m", "evidencekb", "validate", "--consistency", "--format", "json", str(folder)],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
    )
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    rows = json.loads(proc.stdout)["diagnostics"]
    reported: dict[str, list[Diagnostic]] = defaultdict(list)
    for row in rows:
        assert set(row) == {"path", "line", "column", "severity", "code", "message"}
        reported[row["path"]].append(Diagnostic(**{**row, "severity": Severity(row["severity"])}))
    assert set(reported) == set(expected), "files with no diagnostics or unexpected ones"
    for path, wanted in expected.items():
        assert_exactly(reported[path], wanted)


# --------------------------------------------------------------------- mutated records never crash

_BASES = {
    "minimal": MINIMAL,
    "proderm": (REPO / "content" / "trials" / "proderm.yaml").read_text(encoding="utf-8"),
    "dalakas-1993": (REPO / "content" / "trials" / "dalakas-1993.yaml").read_text(encoding="utf-8"),
}
_VALUE = re.compile(r"(?<=[\w]: )[^{}\[\],#\n]+")
_NASTY = [
    "", "~", "-1", "0", "1e999", "-1e999", "1e-400", "0.0e-99999999999", ".nan", "true", "[]", "{}", "[1]",
    "{a: 1}", "'TODO'", "99999999999999999999", "2020-02-30", "1:30", "0x10", "'<0.001'", "<2", "&a x",
    "*a", "!!str", "!foo x", "'" + "x" * 600 + "'", "<script>", "drug-arm", "safety", "main", "paper",
    "binary", "continuous", "time-to-event", "crossover", "randomized", "{low: 1, high: 0}", "[ivig, ivig]",
    "{arm: null, count: 1}", "9" * 5000, "null", "-", "? x", "|", ">-", "'unterminated", "[a, b",
]


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    base=st.sampled_from(sorted(_BASES)),
    edits=st.lists(
        st.tuples(st.integers(0, 10**6), st.one_of(st.sampled_from(_NASTY), st.text(max_size=12),
                                                     st.integers().map(str), st.floats().map(repr))),
        min_size=1, max_size=3,
    ),
)
def test_mutated_records_never_crash(base: str, edits, input_log, tmp_path_factory) -> None:
    text = _BASES[base]
    for position, value in edits:
        values = list(_VALUE.finditer(text))
        match = values[position % len(values)]
        text = text[: match.start()] + value + text[match.end():]
    path = tmp_path_factory.mktemp("mutated") / f"{base}.yaml"
    data = text.encode("utf-8")
    path.write_bytes(data)
    diagnostics, seconds = check_one(path, input_log)
    assert seconds < HANG_SECONDS
    assert_well_formed(diagnostics, path, data)
