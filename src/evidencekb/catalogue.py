"""Every diagnostic code, with its severity, the stage that owns it, its message and what it means.

Codes are the stable part of a diagnostic: editors, pull-request annotations and tests key on them. Each
code has exactly one owner (the stage that raises it), so one problem is never reported twice in two
wordings. The "Diagnostics" page of the site is generated from this table, and the tests require every
code to be raised, at its line and column, by at least one case of the invalid corpus.
"""

from __future__ import annotations

from dataclasses import dataclass

from evidencekb.diagnostics import Severity

LOADER = "loader"
SCHEMA = "schema"
RULES = "rules"
CROSS_RECORD = "cross-record"
AUDIT = "audit"
REGISTRY = "registry"
COMMANDS = "commands"
STAGES = {
    LOADER: "reading the file and parsing its YAML (evidencekb.loader)",
    SCHEMA: "validation against the models (evidencekb.validation)",
    RULES: "semantic rules within one record (evidencekb.checks)",
    CROSS_RECORD: "rules across records (evidencekb.pipeline)",
    AUDIT: "printed statistics against their recomputation (evidencekb.audit; `check` and"
           " `validate --consistency` only)",
    REGISTRY: "the comparison with a ClinicalTrials.gov entry (evidencekb.registry; `check --registry` only)",
    COMMANDS: "the commands' own checks (evidencekb.commands)",
}


@dataclass(frozen=True)
class Code:
    code: str
    severity: Severity
    stage: str
    message: str
    """The message template: ``{...}`` stands for what the message fills in."""
    explanation: str


_E, _W = Severity.ERROR, Severity.WARNING
CODES: tuple[Code, ...] = (
    Code("file-not-found", _E, LOADER, "no such file or folder",
         "A path given on the command line does not exist."),
    Code("file-unreadable", _E, LOADER, "cannot read file: {reason}",
         "The file exists but cannot be read (permissions, or a folder where a file was expected)."),
    Code("file-too-large", _E, LOADER, "file is {size} bytes; the limit is {limit}",
         "The file, or the number of values in it, is over the limit a record may have; it is refused unparsed."),
    Code("encoding", _E, LOADER, "file is not valid UTF-8 (byte {byte}); save it as UTF-8",
         "Records are UTF-8 text; other encodings (UTF-16, Latin-1) are refused at the first bad byte."),
    Code("nul-byte", _E, LOADER, "file contains a NUL byte (binary data?)",
         "A NUL character means binary data or UTF-16 without a byte-order mark."),
    Code("empty-file", _E, LOADER, "file has no YAML content (empty or only comments)",
         "The file holds nothing but blank lines or comments."),
    Code("yaml-syntax", _E, LOADER, "invalid YAML: {problem}",
         "The text is not valid YAML (or holds a character YAML forbids); the position is where the parser stopped."),
    Code("yaml-tab", _E, LOADER, "tab character where YAML expects indentation or a value; indent with spaces",
         "YAML indentation must be spaces."),
    Code("yaml-multiple-documents", _E, LOADER,
         "a record file holds exactly one YAML document (remove the extra '---')",
         "A second '---' starts another document; a record file holds one."),
    Code("yaml-too-deep", _E, LOADER, "nesting is too deep (records need at most {depth} levels)",
         "Lists or mappings nested deeper than any record needs; refused before they exhaust memory."),
    Code("yaml-alias", _E, LOADER, "anchors and aliases (&name, *name) are not allowed; write values out",
         "Aliases make one value appear in several places (and can expand exponentially); write each value out."),
    Code("yaml-merge-key", _E, LOADER, "merge keys ('<<') are not allowed; write the keys out",
         "Merge keys copy mappings implicitly; every key of a record is written where it applies."),
    Code("yaml-tag", _E, LOADER, "tag {tag} is not allowed in records",
         "Explicit tags (!!python/object, custom tags) are refused, so nothing in a record can run as code."),
    Code("yaml-complex-key", _E, LOADER, "mapping keys must be plain names",
         "A key that is a list or mapping ('? [a, b]') cannot name a field."),
    Code("duplicate-key", _E, LOADER, "duplicate key '{key}' (first defined on line {line})",
         "The same key twice in one mapping; YAML parsers would silently keep only the last value."),
    Code("root-not-mapping", _E, LOADER, "the file must hold a mapping of fields, not {kind}",
         "A record is a mapping of field names to values, not a list or a single value."),
    Code("unknown-key", _E, SCHEMA, "unknown key '{key}' in {where}; did you mean '{suggestion}'?",
         "A key the models do not define, usually a misspelling; the closest field names are suggested."),
    Code("missing-field", _E, SCHEMA, "missing required field '{field}' in {where}",
         "A required field is absent."),
    Code("wrong-type", _E, SCHEMA, "{where}: {expected}",
         "A value of the wrong type: text where a number is expected, a list where a mapping is, an invalid date."),
    Code("invalid-value", _E, SCHEMA, "{where}: {expected}",
         "A value outside the allowed choices, or one a model's own rule rejects."),
    Code("invalid-format", _E, SCHEMA, "{where}: {expected}",
         "Text that does not have the required form (ids, DOIs, locators)."),
    Code("out-of-range", _E, SCHEMA, "{where}: {expected}",
         "A number below or above its allowed range (a negative count, a level outside 0 to 1)."),
    Code("not-finite", _E, SCHEMA, "{where}: input should be a finite number",
         "Infinity or NaN where a number is expected."),
    Code("empty-text", _E, SCHEMA, "{where}: {expected}",
         "Text that must not be empty is empty."),
    Code("text-too-long", _E, SCHEMA, "{where}: {expected}",
         "Text longer than the field allows."),
    Code("too-few-items", _E, SCHEMA, "{where}: {expected}",
         "A list with fewer items than required (a trial needs at least one arm and one source, for example)."),
    Code("placeholder", _E, SCHEMA, "{where}: still to fill in: {hint}",
         "A value still marked TODO in a skeleton written by 'evidencekb new'; the hint says what to fill in."),
    Code("too-many-errors", _E, SCHEMA, "validation stopped after {limit} problems; {more} more not shown"
         " (fix the ones above first)",
         "So many schema problems that reporting stops, keeping time and output bounded."),
    Code("impossible-count", _E, RULES, "{events} events out of {total} participants: events cannot exceed the total",
         "A count that cannot be: more events than participants, or fewer events than patients with events."),
    Code("count-exceeds-denominator", _E, RULES, "{analysed} analysed in '{group}', which has only {size}",
         "More participants analysed (or with adverse events, or at a flow stage) than the group has."),
    Code("flow-mismatch", _E, RULES, "flow says {count} randomized to '{arm}', arms say {randomized}",
         "The participant flow and the arms disagree on how many were randomized."),
    Code("arm-periods", _E, RULES, "arm '{arm}' lists {treatments} treatments for {periods} periods"
         " (give one treatment per period)",
         "Each arm gives one treatment per period of the design."),
    Code("percent-mismatch", _W, RULES, "{percent}% does not match {count}/{total} = {exact}%",
         "A printed percentage that no rounding of the count over its denominator gives."),
    Code("ci-order", _E, RULES, "interval lower bound {low} is above its upper bound {high}",
         "An interval whose bounds are swapped."),
    Code("ci-excludes-estimate", _E, RULES, "estimate {estimate} lies outside its interval {low} to {high}",
         "A point estimate outside its own confidence interval."),
    Code("unknown-source", _E, RULES, "unknown source '{source}' (known: {known})",
         "A number cites a source id that the record's sources list does not define."),
    Code("unknown-reference", _E, RULES, "unknown {kind} '{id}' (known: {known})",
         "A reference to an endpoint, arm, population, period or treatment the record does not define."),
    Code("duplicate-id", _E, RULES, "id '{id}' is used twice in {list} (first at item {index})",
         "Two items of one list share an id, or an arm and a population share one."),
    Code("duplicate-group", _E, RULES, "group '{group}' appears twice",
         "One result lists the same group twice."),
    Code("id-mismatch", _E, RULES, "id '{id}' must equal the file name '{stem}'",
         "A record's id is its file name, so that links and exports are predictable."),
    Code("invalid-identifier", _E, RULES, "'{id}' is not a valid {registry} id: expected {form}",
         "A registration id that does not have its registry's form (NCT followed by 8 digits, for example)."),
    Code("date-order", _E, RULES, "completion {end} is before the start {start}",
         "The completion date precedes the start date."),
    Code("unused-source", _W, RULES, "source '{source}' is not cited by any number",
         "A listed source that nothing in the record cites."),
    Code("result-type-mismatch", _E, RULES, "endpoint '{endpoint}' is {expected}, but this result gives {kind} data",
         "A result's data kind (binary, continuous, time-to-event) differs from its endpoint's."),
    Code("crossover-comparison", _E, RULES, "in a crossover trial, results by arm are independent groups only in"
         " the first period; ...",
         "Results by randomized arm in a crossover trial must belong to the first period."),
    Code("duplicate-trial", _E, CROSS_RECORD, "trial id '{id}' is already used by {path}",
         "Two record files give the same trial id."),
    Code("estimate-mismatch", _W, AUDIT, "{endpoint}: reported {measure} {estimate}, recomputed {value}",
         "A printed effect estimate that the recomputation from the per-group data does not reproduce."),
    Code("ci-not-reproduced", _W, AUDIT, "{endpoint}: no method reproduces {low} to {high} ({intervals})",
         "A printed confidence interval that no known interval method reproduces from the per-group data."),
    Code("p-value-mismatch", _W, AUDIT, "{endpoint}: {detail}",
         "A printed p-value that no test computed from the per-group data is consistent with."),
    Code("grim-inconsistent", _W, AUDIT, "{endpoint}: no total of {n} whole-number scores gives a mean printed"
         " as {mean} (GRIM)",
         "A mean of whole-number scores that no total of n scores can give (the GRIM test)."),
    Code("registry-other-study", _E, REGISTRY, "the registry study {nct} is not one of this record's"
         " registrations; compare the record with its own registry entry",
         "The registry entry given to 'check --registry' belongs to another study than the record."),
    Code("registry-difference", _W, REGISTRY, "{where}: {what}: record {value}, registry {value} at {locator}"
         " ({nct}, version {version})",
         "A number the record and its registry entry both hold, with different values."),
    Code("registry-missing-outcome", _W, REGISTRY, "registry outcome '{title}' ({locator}) has no endpoint in"
         " this record: possibly a missing outcome",
         "An outcome the registry posts that no endpoint of the record matches."),
    Code("registry-unversioned", _W, REGISTRY, "no registry source cites {nct}: add one with its url and version",
         "The record does not say which version of the registry entry its numbers come from."),
    Code("registry-newer-version", _W, REGISTRY, "the registry's version {version} is newer than {cited} cited by"
         " source '{source}': results may have changed",
         "The registry entry changed since the version the record cites."),
    Code("schema-stale", _E, COMMANDS, "the schema differs from the models; run 'evidencekb schema' and commit"
         " the result",
         "'evidencekb schema --check': the committed JSON Schema is not the one the models give."),
)
CATALOGUE = {c.code: c for c in CODES}


def diagnostics_markdown() -> str:
    """The "Diagnostics" reference page: every code by stage, with severity, message and meaning."""
    lines = [
        "# Diagnostics",
        "",
        "Every message of `evidencekb validate`, `evidencekb check` and the site build reads",
        "`path:line:column: severity[code]: message`. Errors make a record invalid; warnings (numbers that do",
        "not agree with each other) fail the pull-request check, which runs with `--strict`, until they are",
        "fixed or acknowledged. In a message, `{...}` stands for what the message fills in.",
    ]
    for stage, description in STAGES.items():
        lines += ["", f"## {stage.capitalize()}", "", f"Raised by {description}.", "",
                  "| Code | Severity | Message | Meaning |", "|---|---|---|---|"]
        lines += [f"| `{c.code}` | {c.severity.value} | `{_cell(c.message)}` | {_cell(c.explanation)} |"
                  for c in CODES if c.stage == stage]
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    """Text for a Markdown table cell: no pipes, no HTML, braces kept as typed."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace("|", "\\|")
