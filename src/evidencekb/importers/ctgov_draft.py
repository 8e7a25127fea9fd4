"""A draft record (``status: draft``) written from a ClinicalTrials.gov study, in the project's layout.

Every number is the registry's own text, on its own line, followed by a ``# ctgov: LOCATOR`` comment
that points at it in the JSON; the objects holding numbers cite the ``ctgov`` source, which carries the
study's version date. What the registry does not say, or says in a way no record field holds, becomes
a ``TODO`` placeholder with the reason (``validate`` lists each as ``placeholder``), never a guess. One
derivation is made: a percentage with its denominator gives a count of participants when exactly one
count prints as that percentage (``rounding.percentage_matches_counts``); the percentage is kept as
printed, so the consistency check sees both. This module writes the study's design, arms and flow;
``ctgov_results`` writes its endpoints, results and adverse events.
"""

from __future__ import annotations

import re

from evidencekb.importers.ctgov import Study, plain
from evidencekb.importers.ctgov_groups import (
    ArmGroup,
    TreatmentInfo,
    arm_role,
    arms,
    at_risk_populations,
    received_by,
    slugify,
    treatments,
    unique,
)
from evidencekb.importers.ctgov_results import write_outcomes
from evidencekb.importers.draft_text import SOURCE, Lines, cite, quote, todo

_PHASES = {("PHASE1",): "1", ("PHASE1", "PHASE2"): "1/2", ("PHASE2",): "2", ("PHASE2", "PHASE3"): "2/3",
           ("PHASE3",): "3", ("PHASE4",): "4", ("NA",): "not-applicable"}
_MODELS = {"PARALLEL": "parallel", "CROSSOVER": "crossover", "FACTORIAL": "factorial", "SINGLE_GROUP": "single-group"}
_MASKED = {"PARTICIPANT": "participant", "CARE_PROVIDER": "care-provider", "INVESTIGATOR": "investigator",
           "OUTCOMES_ASSESSOR": "outcomes-assessor"}


def draft(study: Study, slug: str) -> str:
    """The text of a draft record for the study, with the id ``slug``."""
    out = Lines()
    all_treatments = treatments(study, set())
    _header(out, study, slug, [t.label for t in all_treatments if t.role == "intervention"])
    arm_groups = arms(study, set())
    periods = _periods(study)
    _design(out, study, all_treatments, periods)
    _treatments(out, all_treatments)
    _arms(out, arm_groups, all_treatments, [p for p, _ in periods])
    _safety(out, study, arm_groups)
    _flow(out, study, arm_groups, periods)
    write_outcomes(out, study, arm_groups, [p for p, _ in periods])
    return "\n".join(out.lines) + "\n"


def _header(out: Lines, study: Study, slug: str, interventions: list[str]) -> None:
    ident = study.module(study.protocol, "identificationModule")
    title = plain(ident.get("officialTitle") or ident.get("briefTitle"))
    version = study.version or "unknown"
    out(0, "# yaml-language-server: $schema=../../schema/trial.schema.json")
    out(0, f"# Draft imported from ClinicalTrials.gov {study.nct_id} (version {version}) by 'evidencekb import ctgov'.")
    out(0, "# Each number is followed by '# ctgov:' and where it is in the registry's JSON")
    out(0, f"# (https://clinicaltrials.gov/api/v2/studies/{study.nct_id}). Values starting with \"TODO\" could not")
    out(0, "# be read from the registry: 'evidencekb validate' lists each one; fill them in from the sources.")
    out(0, "schema_version: 1")
    out(0, f"id: {slug}")
    out(0, "status: draft                      # change to \"published\" when the record is complete and reviewed")
    out(0, f"title: {quote(title) if title else todo('full title of the trial')}")
    acronym = ident.get("acronym")
    out(0, f"short_name: {quote(str(acronym)) if acronym else todo('acronym or short name')}")
    out(0, "registrations:")
    out(2, "- registry: clinicaltrials.gov")
    out(4, f"id: {study.nct_id}")
    for other in ident.get("secondaryIdInfos") or []:
        if isinstance(other, dict) and other.get("type") == "EUDRACT_NUMBER" and other.get("id"):
            out(2, "- registry: eu-ctr")
            out(4, f"id: {quote(str(other['id']))}")
    _list(out, "conditions", study.module(study.protocol, "conditionsModule").get("conditions"), "condition studied")
    _list(out, "interventions", interventions, "intervention tested")
    others = [plain(n) for item in study.module(study.protocol, "armsInterventionsModule").get("interventions") or []
              if isinstance(item, dict) for n in item.get("otherNames") or []]
    if others:
        _list(out, "keywords", list(dict.fromkeys(others)), "")
    out(0, f"population: {todo('who was studied, in one or two sentences')}")
    out(0, f"bottom_line: {todo('plain-language summary of benefits, harms and certainty, written by the reviewers')}")
    out(0, f"primary_source: {SOURCE}                # add the trial's publication to sources and name it here")
    out(0, "review:")
    out(2, f"last_reviewed: {todo('date of your review, YYYY-MM-DD')}")
    out(2, "reviewers:")
    out(4, f"- {todo('your name or handle')}")
    out(0, "")
    out(0, "sources:")
    out(2, f"- id: {SOURCE}")
    out(4, "kind: registry")
    brief = plain(ident.get("briefTitle") or study.nct_id)
    out(4, f"citation: {quote(f'ClinicalTrials.gov record {study.nct_id}: {brief}.')}")
    out(4, f"url: {study.url}")
    out(4, f"version: {quote(study.version) if study.version else todo('version date of the registry record')}"
           "  # ctgov: derivedSection.miscInfoModule.versionHolder")


def _list(out: Lines, key: str, values: object, hint: str) -> None:
    items = [plain(v) for v in values] if isinstance(values, list) else []
    out(0, f"{key}:")
    for item in items or [f"TODO: {hint}"]:
        out(2, f"- {quote(item)}")


def _periods(study: Study) -> list[tuple[str, str]]:
    """(id, blinding) of each period of the participant flow."""
    masking = str((study.module(study.protocol, "designModule").get("designInfo") or {}).get("maskingInfo", {})
                  .get("masking", ""))
    blinding = {"NONE": "open-label", "SINGLE": "single-blind"}.get(masking, "double-blind" if masking else "")
    taken: set[str] = set()
    found = []
    for period in study.flow_periods() or []:
        kind = "open-label" if "open" in period.title.lower() else blinding
        found.append((unique(slugify(period.title or "period"), taken), kind))
    return found or [("main", blinding)]


def _design(out: Lines, study: Study, all_treatments: list[TreatmentInfo], periods: list[tuple[str, str]]) -> None:
    design = study.module(study.protocol, "designModule")
    info = design.get("designInfo") or {}
    out(0, "")
    out(0, "design:")
    phase = _PHASES.get(tuple(design.get("phases") or ()))
    out(2, f"phase: {quote(phase) if phase else todo('phase: the registry gives ' + str(design.get('phases')))}")
    allocation = {"RANDOMIZED": "randomized", "NON_RANDOMIZED": "non-randomized"}.get(info.get("allocation", ""))
    out(2, f"allocation: {allocation or todo('randomized or non-randomized')}")
    model = _MODELS.get(info.get("interventionModel", ""))
    out(2, f"model: {model or todo('parallel, crossover, factorial or single-group')}")
    control = _control(study, all_treatments)
    out(2, f"control: {control or todo('placebo, active, no-treatment, dose-comparison or none')}")
    masking = info.get("maskingInfo") or {}
    if masking.get("masking"):
        out(2, "masking:")
        out(4, f"level: {str(masking['masking']).lower()}")
        roles = [_MASKED[r] for r in masking.get("whoMasked") or [] if r in _MASKED]
        out(4, f"roles: [{', '.join(roles)}]")
        out.source(4, "protocolSection.designModule.designInfo.maskingInfo")
    status = study.module(study.protocol, "statusModule")
    for key, field in (("start_date", "startDateStruct"), ("completion_date", "completionDateStruct")):
        date = str((status.get(field) or {}).get("date", ""))
        if re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", date):
            out(2, f"{key}:")
            out(4, f"value: {date if len(date) == 10 else date + '-01'}")
            out(4, f"precision: {'day' if len(date) == 10 else 'month'}")
            out.source(4, f"protocolSection.statusModule.{field}.date")
    out(2, "periods:")
    flow = study.flow_periods()
    for i, (period_id, blinding) in enumerate(periods):
        out(4, f"- id: {period_id}")
        out(6, f"label: {quote(flow[i].title) if flow else todo('name of the period')}")
        out(6, f"blinding: {blinding or todo('double-blind, single-blind or open-label')}")
        out.source(6, flow[i].locator if flow else "protocolSection.designModule")
    _eligibility(out, study)


def _control(study: Study, all_treatments: list[TreatmentInfo]) -> str | None:
    types = {str(a.get("type")) for a in study.module(study.protocol, "armsInterventionsModule").get("armGroups") or []
             if isinstance(a, dict)}
    if "PLACEBO_COMPARATOR" in types or any("placebo" in t.label.lower() for t in all_treatments):
        return "placebo"
    if "ACTIVE_COMPARATOR" in types:
        return "active"
    return "no-treatment" if "NO_INTERVENTION" in types else None


def _eligibility(out: Lines, study: Study) -> None:
    module = study.module(study.protocol, "eligibilityModule")
    low, high = module.get("minimumAge"), module.get("maximumAge")
    text = str(module.get("eligibilityCriteria") or "")
    if not (low or high or text):
        return
    out(2, "eligibility:")
    if low or high:
        age = f"{low} to {high}" if low and high else f"{low} or older" if low else f"up to {high}"
        out(4, f"age: {quote(str(age))}")
    for key, items in _criteria(text).items():
        out(4, f"{key}:")
        for item in items:
            out(6, f"- text: {quote(item)}")
            out.source(8, "protocolSection.eligibilityModule.eligibilityCriteria")


def _criteria(text: str) -> dict[str, list[str]]:
    """Inclusion and exclusion items of the registry's criteria text (nested bullets join their parent)."""
    found: dict[str, list[str]] = {"inclusion": [], "exclusion": []}
    current: list[str] | None = None
    for raw in text.splitlines():
        line = raw.strip()
        header = line.lower().rstrip(":")
        if header.endswith("inclusion criteria") or header.endswith("exclusion criteria"):
            current = found["exclusion" if "exclusion" in header else "inclusion"]
            continue
        if not line or current is None:
            continue
        item = plain(re.sub(r"^(\*|-|\d+[.)])\s*", "", line))
        nested = raw.startswith((" ", "\t")) and current
        if nested:
            current[-1] = f"{current[-1]} {item}"
        elif item:
            current.append(item)
    return {k: v for k, v in found.items() if v}


def _treatments(out: Lines, all_treatments: list[TreatmentInfo]) -> None:
    out(0, "")
    out(0, "treatments:")
    for t in all_treatments or [TreatmentInfo("treatment", "TODO: treatment name", "intervention", "", ())]:
        out(2, f"- id: {t.id}")
        out(4, f"label: {quote(t.label)}")
        out(4, f"role: {t.role}")
        if t.description:
            out(4, f"description: {quote(t.description)}")


def _arms(out: Lines, arm_groups: list[ArmGroup], all_treatments: list[TreatmentInfo], periods: list[str]) -> None:
    out(0, "")
    out(0, "arms:")
    if not arm_groups:
        out(2, "- id: arm")
        out(4, f"label: {todo('arm name (the registry lists no arm groups)')}")
        out(4, f"role: {todo('intervention or comparator')}")
        out(4, f"treatments: {todo('one treatment id per period')}")
        out(4, f"randomized: {todo('number randomized to this arm')}")
        out.source(4, "protocolSection.armsInterventionsModule")
    for arm in arm_groups:
        received = received_by(arm, all_treatments)
        out(2, f"- id: {arm.id}")
        out(4, f"label: {quote(arm.label)}")
        role = arm_role(arm, received)
        out(4, f"role: {role or todo('intervention or comparator (the registry does not say)')}")
        if len(received) == 1 and len(periods) == 1:
            out(4, f"treatments: [{received[0].id}]")
        else:
            names = ", ".join(t.id for t in received) or "none"
            out(4, f"treatments: {todo(f'one treatment id per period ({len(periods)}); the registry names {names}')}")
        out.cited(4, "randomized", arm.started, "number randomized to this arm")
        if arm.started:
            out(4, "note: " + quote("Participants who started the first period of the registry's participant flow."))
        out.source(4, arm.started.locator.rsplit(".", 1)[0] if arm.started
                   else "protocolSection.armsInterventionsModule.armGroups")


def _safety(out: Lines, study: Study, arm_groups: list[ArmGroup]) -> None:
    """Populations for adverse-event denominators that differ from the arm's size."""
    lines = Lines()
    for pid, arm, at_risk in at_risk_populations(study, arm_groups):
        lines(2, f"- id: {pid}")
        lines(4, f"label: {quote(f'{arm.label}, at risk for adverse events')}")
        lines(4, "unit: participants")
        lines(4, f"size: {cite(at_risk)}")
        lines(4, f"arms: [{arm.id}]")
        lines.source(4, at_risk.locator.rsplit(".", 1)[0])
    if lines.lines:
        out(0, "")
        out(0, "populations:")
        out.lines.extend(lines.lines)




def _flow(out: Lines, study: Study, arm_groups: list[ArmGroup], periods: list[tuple[str, str]]) -> None:
    by_flow = {a.flow_id: a for a in arm_groups if a.flow_id}
    stages = []
    for p, period in enumerate(study.flow_periods()):
        for milestone in period.milestones:
            counts = [(by_flow[g], c) for g, c in milestone.counts.items() if g in by_flow]
            if counts:
                stages.append((periods[p][0], p, milestone, counts))
    if not stages:
        return
    out(0, "")
    out(0, "flow:")
    for period_id, p, milestone, counts in stages:
        stage = {"STARTED": "allocated" if p == 0 else "entered-extension", "COMPLETED": "completed",
                 "NOT COMPLETED": "discontinued"}.get(milestone.type)
        out(2, f"- stage: {stage or todo(f'CONSORT stage of the registry milestone {milestone.type!r}')}")
        out(4, f"period: {period_id}")
        out(4, f"label: {quote(milestone.type)}")
        out(4, "counts:")
        for arm, count in counts:
            out(6, f"- arm: {arm.id}")
            out(8, f"count: {cite(count)}")
        out.source(4, milestone.locator)


