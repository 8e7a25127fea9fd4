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
    Code("symlink", _E, LOADER, "symbolic links are not allowed in the content folder; put the file itself here",
         "A link in the content folder would publish whatever it points to (a file outside the repository)."),
    Code("not-regular-file", _E, LOADER, "not a regular file ({kind}); only files and folders may be in the"
         " content folder",
         "A FIFO, socket or device in the content folder: reading it could hang, and it is never a record."),
    Code("not-a-record", _E, LOADER, "only records (.yaml, .yml) may be in a folder of records; move or delete"
         " this file",
         "Any other file in a folder of records (HTML, Markdown, text) would be published as written."),
    Code("forbidden-character", _E, LOADER, "character {code point} ({name}, {kind}) is not allowed in records",
         "Control characters, bidirectional overrides, a byte-order mark inside text and private-use characters"
         " are invisible, reorder what readers see or are invalid in HTML."),
    Code("leading-zero", _E, LOADER, "integer {text} has a leading zero, which YAML 1.1 reads as octal; write"
         " {value}",
         "YAML 1.1 and 1.2 read an integer with leading zeros differently; write it without them."),
    Code("median-outside-ci", _E, RULES, "median {median} lies outside its own interval {low} to {high}",
         "A time-to-event median must lie within its own confidence interval."),
    Code("mean-outside-scale", _E, RULES, "mean {mean} is outside the scale's range {min} to {max} ({scale})",
         "A mean cannot lie outside the declared scale's range, nor a change exceed the scale's width."),
    Code("population-too-large", _E, RULES, "population of {n} is larger than its {participants} participants"
         "[ times {periods} periods]",
         "A population (treatment exposures included, per period) cannot exceed the trial's participants."),
    Code("review-in-future", _E, RULES, "the review date {date} is after today ({today})",
         "A record cannot have been reviewed on a date that has not come yet."),
    Code("prose-number-unmatched", _W, RULES, "'{phrase}' matches no number of the record; correct it, or cite"
         " its source in the same sentence as [source-id] or [source-id, locator]",
         "A number in reviewer-written text (bottom line, population, design notes) must match a structured"
         " value of the record or carry its own citation, so a changed number cannot pass unnoticed."),
    Code("scale-mismatch", _W, RULES, "estimate {x} is the counts' risk difference {as a fraction|in percentage"
         " points} ({value}), but the scale is {scale}: change the number, or set scale: {other}",
         "A risk difference typed on the other scale (a fraction where percentage points are declared, or the"
         " reverse)."),
    Code("rob-missing-answer", _E, RULES, "{domain} needs an answer to question {question} (given {answers})",
         "The RoB 2 decision algorithm reaches this signalling question and the assessment does not answer it."),
    Code("rob-answer-not-applicable", _E, RULES, "question {question} does not apply given the earlier answers:"
         " answer NA or leave it out",
         "An answer to a signalling question that the earlier answers (or the effect assessed) make irrelevant."),
    Code("rob-answer-not-allowed", _E, RULES, "{answer} is not an answer to question {question}, which applies"
         " (given {answers}): answer {options}",
         "An answer the tool does not offer for this question (NA to 1.1, NI to 3.2)."),
    Code("rob-duplicate-answer", _E, RULES, "question {question} is answered twice (first at answer {index})",
         "A signalling question answered twice in one assessment."),
    Code("rob-override-without-reason", _E, RULES, "the override of {domain} needs a reason (shown beside the"
         " computed judgement)",
         "A reviewer may override a computed RoB 2 judgement only with a reason, which the page shows."),
    Code("rob-escalation-not-applicable", _E, RULES, "the several-concerns rule needs at least two domains with"
         " some concerns and none high",
         "The overall 'high' for several domains with some concerns is used where it cannot apply."),
    Code("rob-unknown-result", _W, RULES, "no result of '{endpoint}' has this analysis population (recorded:"
         " {populations})",
         "The assessed result (endpoint and analysis population) is not among the record's results."),
    Code("rob-not-assessable", _W, RULES, "domains are shown as not assessable: {reason}",
         "The RoB 2 variant this design needs (crossover, cluster) is not implemented; the page says so."),
    Code("rob-first-period-not-applicable", _E, RULES, "first_period_only does not apply: {problem}",
         "Only a crossover trial's result from its first period can be assessed as a parallel-group"
         " comparison; the trial is not a crossover or the endpoint belongs to another period."),
    Code("pool-file", _E, COMMANDS, "cannot read file: {reason}",
         "'evidencekb pool': the study table cannot be read (not CSV or YAML, not UTF-8, bad CSV syntax)."),
    Code("pool-no-studies", _E, COMMANDS, "the table has no studies (k = 0)",
         "'evidencekb pool': the table has a header but no rows."),
    Code("pool-unknown-column", _E, COMMANDS, "unknown column '{column}'; known: {columns}",
         "'evidencekb pool': a column name that is not one of the table's columns, or one given twice."),
    Code("pool-missing-column", _E, COMMANDS, "row {row}: no value for {column}",
         "'evidencekb pool': a required column or value is missing."),
    Code("pool-bad-value", _E, COMMANDS, "row {row}, column {column}: expected {what}, got '{value}'",
         "'evidencekb pool': a cell that is not a valid count, number or design (events above the total, say)."),
    Code("pool-duplicate-study", _E, COMMANDS, "row {row}: study '{study}' appears more than once",
         "'evidencekb pool': two rows name the same study."),
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
