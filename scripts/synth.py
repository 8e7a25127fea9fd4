"""Write N synthetic, valid trial records for benchmarks: ``synth.py --n N --out DIR [--seed S]``, and
with ``--questions Q --questions-out DIR`` Q evidence questions over them, each pooling the risk ratio of
the first binary result of 10 of the trials (in turn).

Each record follows the shape of ``content/trials/proderm.yaml`` (sources, design with periods and
eligibility, 2 to 4 arms, populations, participant flow, baseline, binary / continuous / time-to-event
endpoints with per-arm results, reported statistics, adverse events per population, conflicts,
limitations, mechanisms, risk of bias) with randomized numbers and ids. The records are obviously
synthetic: the title starts with "Synthetic trial", the primary source's citation says the record is
generated, and the registrations use the registry "other" with a ``SYNTHETIC-`` id.

Every number is consistent with the others: percentages print the counts they stand for, flow counts
stay within the arms, reported statistics (risk differences, ratios, mean differences, their intervals
and p-values) are recomputed from the per-arm numbers with the project's own effect functions and
rounded as a source would print them, so ``evidencekb validate --strict`` and ``evidencekb check``
pass. Record ``i`` depends only on ``(seed, i)``: the first 10 of 1,000 records are the 10 records of
``--n 10``. The file name is the record's id.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import sys
from typing import Any

import yaml

HEADER = (
    "# yaml-language-server: $schema=../../schema/trial.schema.json\n"
    "# SYNTHETIC record written by scripts/synth.py (seed {seed}) for benchmarks: not evidence.\n"
)

CONDITIONS = [
    ("dermatomyositis", "adults with active dermatomyositis despite corticosteroids"),
    ("polymyositis", "adults with refractory polymyositis"),
    ("myasthenia gravis", "adults with generalized myasthenia gravis"),
    ("chronic inflammatory demyelinating polyneuropathy", "adults with CIDP on maintenance treatment"),
    ("systemic sclerosis", "adults with diffuse cutaneous systemic sclerosis"),
    ("lupus nephritis", "adults with biopsy-proven active lupus nephritis"),
    ("rheumatoid arthritis", "adults with moderate to severe rheumatoid arthritis"),
    ("atopic dermatitis", "adults with moderate to severe atopic dermatitis"),
    ("psoriasis", "adults with moderate to severe plaque psoriasis"),
    ("ulcerative colitis", "adults with moderately to severely active ulcerative colitis"),
    ("migraine", "adults with episodic migraine, 4 to 14 migraine days a month"),
    ("heart failure", "adults with chronic heart failure and reduced ejection fraction"),
]
DRUG_STEMS = ["zol", "vex", "tar", "mib", "cor", "pra", "lin", "dar", "qui", "sel", "nov", "bex", "fal", "ric"]
DRUG_ENDINGS = ["imab", "umab", "tinib", "parin", "lisib", "ciclib", "gliptin", "sartan", "vastatin", "mod"]
SCALES = [
    ("Disease Activity Score", 0, 100, "points"),
    ("Symptom Severity Index", 0, 60, "points"),
    ("Patient Global Assessment", 0, 10, "cm"),
    ("Physical Function Index", 0, 3, "points"),
    ("Quality of Life Score", 0, 144, "points"),
    ("Skin Activity Index", 0, 100, "points"),
]
AE_TERMS = [
    "Any treatment-emergent adverse event",
    "Headache",
    "Nausea",
    "Pyrexia",
    "Fatigue",
    "Infusion-related reaction",
    "Upper respiratory tract infection",
    "Arthralgia",
    "Dizziness",
    "Rash",
    "Diarrhoea",
    "Thromboembolic event",
    "Hypertension",
    "Back pain",
]
LIMITATIONS = [
    ("imprecision", "Small sample size gives wide confidence intervals for the secondary endpoints."),
    ("short-follow-up", "Follow-up was too short to assess long-term benefits and harms."),
    ("attrition", "Dropout was higher in the comparator arm than in the intervention arm."),
    ("indirectness", "The population excluded older patients and those with comorbidities."),
    ("reporting", "Several secondary endpoints were reported only in a conference abstract."),
    ("measurement", "The primary endpoint relies on a composite score with subjective components."),
]
ROB2_ANSWER_SETS = (
    # Complete RoB 2 answer sets (effect of assignment): every question the decision algorithms reach.
    {"1.1": "Y", "1.2": "Y", "1.3": "N", "2.1": "N", "2.2": "N", "2.6": "Y", "3.1": "Y",
     "4.1": "N", "4.2": "N", "4.3": "N", "5.1": "Y", "5.2": "N", "5.3": "N"},
    {"1.1": "NI", "1.2": "NI", "1.3": "NI", "2.1": "PN", "2.2": "PN", "2.6": "Y", "3.1": "PY",
     "4.1": "PN", "4.2": "PN", "4.3": "PN", "5.1": "NI", "5.2": "PN", "5.3": "NI"},
    {"1.1": "Y", "1.2": "PY", "1.3": "N", "2.1": "Y", "2.2": "Y", "2.3": "N", "2.6": "N", "2.7": "N",
     "3.1": "N", "3.2": "N", "3.3": "Y", "3.4": "N", "4.1": "N", "4.2": "N", "4.3": "Y", "4.4": "N",
     "5.1": "Y", "5.2": "N", "5.3": "N"},
)
P_FLOOR = 0.001
FLOW_WIDTH = 100
"""Rows this short (as Python reprs) are written on one line, like ``{arm: a, events: 3, total: 40}``."""


def drug_name(rng: random.Random) -> str:
    return rng.choice(DRUG_STEMS) + rng.choice(DRUG_STEMS) + rng.choice(DRUG_ENDINGS)


def percent(count: int, total: int, decimals: int) -> float | int:
    value = round(100 * count / total, decimals)
    return int(value) if decimals == 0 else value


def rounded(value: float, decimals: int) -> float | int:
    value = round(value, decimals)
    if decimals == 0:
        return int(value)
    return value + 0.0 if value != 0 else 0.0


def p_printed(p: float) -> float | str:
    """A p-value as a paper prints it: '<0.001', or two significant digits."""
    if p < P_FLOOR:
        return "<0.001"
    if p >= 0.1:
        return round(p, 2)
    if p >= 0.01:
        return round(p, 3)
    return round(p, 4)


class _Sources:
    """Source ids with a record of which are cited, so that every listed source is used."""

    def __init__(self, rng: random.Random, ids: list[str]) -> None:
        self.rng = rng
        self.ids = ids
        self.cited: set[str] = set()

    def pick(self, *preferred: str) -> str:
        choices = [s for s in preferred if s in self.ids] or self.ids
        source = self.rng.choice(choices)
        self.cited.add(source)
        return source


def make_record(index: int, seed: int) -> dict[str, Any]:
    """Record number ``index`` (1-based) of the synthetic set for ``seed``."""
    from evidencekb.effects import (
        BinaryCounts,
        GroupMean,
        fisher_exact_p,
        group_from_ci,
        mean_difference,
        odds_ratio,
        risk_difference,
        risk_ratio,
        t_test_p,
    )

    rng = random.Random(f"evidencekb-synthetic:{seed}:{index}")
    trial_id = f"synthetic-{index:05d}"
    condition, population_text = rng.choice(CONDITIONS)
    drug = drug_name(rng)
    comparator_kind = rng.choices(["placebo", "active"], weights=[4, 1])[0]
    comparator = "placebo" if comparator_kind == "placebo" else drug_name(rng)
    n_arms = rng.choices([2, 3, 4], weights=[6, 3, 2])[0]
    two_periods = rng.random() < 0.5
    year = rng.randint(1995, 2020)

    source_ids = ["synthetic-paper", "synthetic-registry"]
    source_ids += rng.sample(["synthetic-safety", "synthetic-abstract", "synthetic-news", "synthetic-label"],
                             rng.randint(0, 3))
    sources = _Sources(rng, source_ids)
    sources.cited.add("synthetic-paper")  # cited as primary_source

    def src(*preferred: str) -> str:
        return sources.pick(*preferred)

    # periods, treatments, arms
    periods = [
        {
            "id": "first-period",
            "label": "First period (double-blind)",
            "blinding": "double-blind",
            "duration_weeks": rng.choice([12, 16, 24, 26, 52]),
            "description": f"{drug.capitalize()} or {comparator} at fixed doses, with rescue medication allowed.",
            "source": src("synthetic-paper", "synthetic-registry"),
        }
    ]
    if two_periods:
        periods.append(
            {
                "id": "extension",
                "label": "Extension period (open-label)",
                "blinding": "open-label",
                "duration_weeks": rng.choice([24, 28, 48]),
                "description": f"All patients received open-label {drug}.",
                "source": src("synthetic-registry"),
            }
        )
    treatments = [
        {"id": "study-drug", "label": drug.capitalize(), "role": "intervention",
         "description": f"Synthetic investigational product {drug}."},
        {"id": "comparator", "label": comparator.capitalize(), "role": "comparator",
         "description": "Matching placebo." if comparator == "placebo" else f"Active comparator {comparator}."},
    ]
    doses = sorted(rng.sample([5, 10, 20, 40, 80, 150, 300], n_arms - 1), reverse=True)
    arms = []
    for k in range(n_arms):
        if k == 1:
            arm_id, label, role = "comparator-arm", comparator.capitalize(), "comparator"
            given = ["comparator", "study-drug"] if two_periods else ["comparator"]
        else:
            dose = doses[0] if k == 0 else doses[k - 1]
            arm_id, label = f"dose-{dose}mg", f"{drug.capitalize()} {dose} mg"
            role = "intervention" if k == 0 else "other"
            given = ["study-drug"] * len(periods)
        arms.append({"id": arm_id, "label": label, "role": role, "treatments": given,
                     "randomized": rng.randint(20, 400), "source": src("synthetic-paper", "synthetic-registry")})
    sizes = {a["id"]: a["randomized"] for a in arms}
    total_randomized = sum(sizes.values())

    populations = []
    if two_periods:
        populations.append({
            "id": "all-treated",
            "label": f"All patients treated with {drug} (whole study)",
            "unit": "participants",
            "size": total_randomized,
            "treatment": "study-drug",
            "arms": [a["id"] for a in arms],
            "definition": "Every randomized patient, all of whom received the study drug in either period.",
            "source": src("synthetic-safety", "synthetic-paper"),
        })
        sizes["all-treated"] = total_randomized

    # participant flow
    completed = {a["id"]: a["randomized"] - rng.randint(0, a["randomized"] // 6) for a in arms}
    flow: list[dict[str, Any]] = [
        {"stage": "randomized", "period": "first-period",
         "counts": [{"arm": a["id"], "count": a["randomized"]} for a in arms]
         + [{"arm": None, "count": total_randomized}],
         "source": src("synthetic-paper", "synthetic-registry")},
        {"stage": "completed", "period": "first-period",
         "counts": [{"arm": a, "count": c} for a, c in completed.items()],
         "source": src("synthetic-paper", "synthetic-registry")},
    ]
    if two_periods:
        flow.append({"stage": "entered-extension", "period": "extension",
                     "counts": [{"arm": a, "count": c - rng.randint(0, c // 10)} for a, c in completed.items()],
                     "source": src("synthetic-registry")})

    # baseline characteristics
    baseline: list[dict[str, Any]] = []
    age = rng.uniform(30, 65)
    baseline.append({
        "label": "Age, years (mean, SD)", "unit": "years",
        "values": [{"arm": a["id"], "mean": round(rng.gauss(age, 2), 1), "sd": round(rng.uniform(8, 15), 1)}
                   for a in arms],
        "source": src("synthetic-paper"),
    })
    female_share = rng.uniform(0.3, 0.8)
    female_values = []
    for a in arms:
        count = max(0, min(a["randomized"], round(rng.gauss(female_share, 0.05) * a["randomized"])))
        female_values.append({"arm": a["id"], "count": count, "percent": percent(count, a["randomized"], 1)})
    baseline.append({"label": "Female", "values": female_values, "source": src("synthetic-paper")})
    overall = rng.randint(total_randomized // 4, total_randomized // 2)
    baseline.append({"label": "Previous biologic treatment", "values": [
        {"arm": None, "n": total_randomized, "count": overall, "percent": percent(overall, total_randomized, 0)}
    ], "source": src("synthetic-paper", "synthetic-registry")})
    if rng.random() < 0.5:
        baseline.append({"label": "Disease duration, years (median, range)", "unit": "years", "values": [
            {"arm": None, "n": total_randomized, "median": round(rng.uniform(2, 8), 1), "min": 0.5,
             "max": round(rng.uniform(15, 30), 1)}
        ], "source": src("synthetic-paper")})

    # endpoints and results
    endpoints: list[dict[str, Any]] = []
    results: list[dict[str, Any]] = []
    kinds = ["binary"] + rng.choices(["binary", "continuous", "time-to-event"], weights=[4, 4, 1],
                                     k=rng.randint(2, 7))
    benefit = rng.uniform(-0.05, 0.3)
    for number, kind in enumerate(kinds):
        in_extension = two_periods and number > 0 and rng.random() < 0.25
        period = "extension" if in_extension else "first-period"
        week = rng.choice([24, 40, 52]) if in_extension else rng.choice([8, 12, 16])
        scale_name, scale_min, scale_max, unit = rng.choice(SCALES)
        short = "".join(word[0] for word in scale_name.split())
        endpoint: dict[str, Any] = {"id": f"ep{number + 1}-{kind.replace('-', '')}-w{week}"}
        if kind == "binary":
            threshold = rng.choice([20, 40, 50, 75])
            endpoint.update({
                "label": f"At least {threshold}% improvement in the {scale_name} at week {week}",
                "short_label": f"{short} {threshold}, week {week}",
                "role": "primary" if number == 0 else "secondary",
                "type": "binary",
                "definition": f"Improvement of at least {threshold}% from baseline in the {scale_name} "
                f"({scale_min} to {scale_max} {unit}) at week {week}, without rescue treatment.",
                "timepoint": f"week {week}", "period": period, "better": "higher", "measure": "proportion",
                "outcome": f"{short} {threshold}",
            })
        elif kind == "continuous":
            measure = rng.choice(["change-from-baseline", "final-value"])
            endpoint.update({
                "label": f"{scale_name}, {'change from baseline to' if measure != 'final-value' else 'at'} "
                f"week {week}",
                "short_label": f"{short}, week {week}",
                "role": "secondary",
                "type": "continuous",
                "definition": f"The {scale_name} ({scale_min} to {scale_max} {unit}); lower means less active "
                "disease.",
                "timepoint": f"week {week}", "period": period, "better": "lower", "measure": measure,
                "scale": {"name": scale_name, "min": scale_min, "max": scale_max, "unit": unit},
                "outcome": short,
            })
        else:
            endpoint.update({
                "label": f"Time to first relapse ({'extension' if in_extension else 'first period'})",
                "short_label": "Time to relapse",
                "role": "secondary",
                "type": "time-to-event",
                "definition": "Days from randomization to the first confirmed relapse.",
                "timepoint": f"up to week {week}", "period": period, "better": "higher", "measure": "time-to-event",
                "outcome": "Relapse",
            })
        endpoint["source"] = src("synthetic-paper", "synthetic-registry")
        if number == 0 and rng.random() < 0.6:
            endpoint["locator"] = "abstract"
            endpoint["certainty"] = {
                "rating": rng.choice(["moderate", "low"]),
                "domains": [{"domain": "imprecision", "direction": "downgrade", "levels": 1,
                             "reason": "One trial of modest size; the interval includes small effects."}],
                "assessor": "synthetic data generator",
            }
        endpoints.append(endpoint)

        result: dict[str, Any] = {"endpoint": endpoint["id"]}
        if number == 0:
            result["analysis_population"] = "all randomized patients"
        result["source"] = src("synthetic-paper", "synthetic-registry", "synthetic-abstract")
        if kind == "binary":
            base_risk = rng.uniform(0.1, 0.6)
            groups = []
            counts = {}
            print_percent = rng.random() < 0.7
            decimals = rng.choice([0, 1])
            for k, a in enumerate(arms):
                total = completed[a["id"]] if rng.random() < 0.5 else a["randomized"]
                risk = base_risk if a["role"] == "comparator" else base_risk + benefit * (1 - 0.2 * k)
                events = min(total - 1, max(1, round(rng.gauss(risk, 0.03) * total)))
                counts[a["id"]] = (events, total)
                group: dict[str, Any] = {"arm": a["id"], "events": events, "total": total}
                if print_percent:
                    group["percent"] = percent(events, total, decimals)
                groups.append(group)
            result["binary"] = groups
            (e1, n1), (e2, n2) = counts[arms[0]["id"]], counts["comparator-arm"]
            table = BinaryCounts(e1, n1, e2, n2)
            p = p_printed(fisher_exact_p(table).value or 1.0)
            measure = rng.choice(["risk-difference", "risk-difference", "risk-ratio", "odds-ratio"])
            if measure == "risk-difference":
                est = risk_difference(table, rng.choice(["wald", "newcomb"]))
                d = rng.choice([0, 1])
                reported = {"measure": measure, "scale": "percentage-points",
                            "estimate": rounded(100 * est.estimate, d),
                            "ci": {"low": rounded(100 * est.ci_low, d), "high": rounded(100 * est.ci_high, d)}}
            else:
                est = (risk_ratio if measure == "risk-ratio" else odds_ratio)(table)
                reported = {"measure": measure, "scale": "ratio", "estimate": rounded(est.estimate, 2),
                            "ci": {"low": rounded(est.ci_low, 2), "high": rounded(est.ci_high, 2)}}
            reported.update({"p_value": p, "source": src("synthetic-paper", "synthetic-abstract")})
            if rng.random() < 0.5:
                reported["locator"] = rng.choice(["abstract", "Table 2", "Fig. 2"])
            result["reported"] = [reported]
        elif kind == "continuous":
            spread = (scale_max - scale_min) / 6
            start = rng.uniform(-spread, 0) if endpoint["measure"] == "change-from-baseline" else rng.uniform(
                scale_min + spread, scale_max - spread)
            groups = []
            means = {}
            with_ci = rng.random() < 0.3
            for k, a in enumerate(arms):
                n = completed[a["id"]] - rng.randint(0, 3)
                shift = 0.0 if a["role"] == "comparator" else -benefit * spread * (1 - 0.2 * k)
                mean = round(rng.gauss(start + shift, spread / 10), 2)
                sd = round(spread * rng.uniform(0.6, 1.2), 2)
                group = {"arm": a["id"], "n": n, "mean": mean}
                if with_ci:
                    half = 1.96 * sd / n**0.5
                    low, high = round(mean - half, 2), round(mean + half, 2)
                    group["ci"] = {"low": low, "high": high}
                    means[a["id"]] = group_from_ci(mean, low, high, n)
                else:
                    group["sd"] = sd
                    means[a["id"]] = GroupMean(mean, sd, n)
                groups.append(group)
            result["continuous"] = groups
            g1, g2 = means[arms[0]["id"]], means["comparator-arm"]
            md = mean_difference(g1, g2, "welch")
            assert md.estimate is not None and md.ci_low is not None and md.ci_high is not None
            reported = {"measure": "mean-difference", "estimate": rounded(md.estimate, 2),
                        "ci": {"low": rounded(md.ci_low, 2), "high": rounded(md.ci_high, 2)},
                        "p_value": p_printed(t_test_p(g1, g2, "welch").value or 1.0),
                        "source": src("synthetic-paper", "synthetic-registry")}
            result["reported"] = [reported]
        else:
            groups = []
            for a in arms:
                median = rng.randint(60, 300) if a["role"] == "comparator" else rng.randint(120, 400)
                high = median + rng.randint(20, 90) if rng.random() < 0.7 else None
                groups.append({"arm": a["id"], "n": a["randomized"], "median": median,
                               "ci": {"low": median - rng.randint(10, 50), "high": high}, "unit": "days"})
            result["time_to_event"] = groups
            hr = round(rng.uniform(0.4, 1.1), 2)
            result["reported"] = [{"measure": "hazard-ratio", "scale": "ratio", "estimate": hr,
                                   "ci": {"low": round(hr * 0.7, 2), "high": round(hr * 1.35, 2)},
                                   "method": "Cox proportional hazards", "adjusted": True,
                                   "source": src("synthetic-paper")}]
        results.append(result)

    # a second report of the primary result, from another source, as in ProDERM
    if rng.random() < 0.4:
        copy = dict(results[0])
        copy.pop("reported", None)
        copy.pop("analysis_population", None)
        copy["source"] = src("synthetic-registry")
        copy["verified"] = False
        copy["note"] = "The registry gives the same counts; its percentages are not printed."
        copy["binary"] = [{k: v for k, v in g.items() if k != "percent"} for g in results[0]["binary"]]
        results.append(copy)

    # adverse events
    adverse_events: list[dict[str, Any]] = []
    terms = ["Any treatment-emergent adverse event"] + rng.sample(AE_TERMS[1:], rng.randint(2, 8))
    for number, term in enumerate(terms):
        whole_study = two_periods and rng.random() < 0.3
        base = 0.7 if number == 0 else rng.uniform(0.01, 0.2)
        decimals = rng.choice([0, 1])
        if whole_study:
            denominators = ["all-treated"]
        else:
            denominators = [a["id"] for a in arms]
        ae_groups = []
        for key in denominators:
            size = sizes[key]
            patients = min(size, max(0, round(rng.gauss(base, base / 5) * size)))
            group: dict[str, Any] = {"population" if whole_study else "arm": key, "patients": patients}
            if rng.random() < 0.6:
                group["events"] = patients + rng.randint(0, patients * 2)
            if rng.random() < 0.8:
                group["percent"] = percent(patients, size, decimals)
            ae_groups.append(group)
        event: dict[str, Any] = {"id": f"ae{number + 1}-{'all' if whole_study else 'fp'}", "term": term}
        if term == "Thromboembolic event":
            event["special_interest"] = True
        if number > 0 and rng.random() < 0.3:
            event["relatedness"] = "related"
        event["period"] = None if whole_study else "first-period"
        event["groups"] = ae_groups
        event["source"] = src("synthetic-safety", "synthetic-paper", "synthetic-registry")
        if rng.random() < 0.5:
            event["locator"] = rng.choice(["Table 3", "Table S4", "abstract"])
        adverse_events.append(event)

    # conflicts between sources
    conflicts: list[dict[str, Any]] = []
    if len(source_ids) > 2 and rng.random() < 0.6:
        ae = rng.choice(adverse_events[1:])
        first = ae["groups"][0]
        other = src("synthetic-news", "synthetic-abstract", "synthetic-label")
        conflicts.append({
            "id": "ae-count",
            "topic": f"{ae['term']} count",
            "status": rng.choice(["unresolved", "likely-error"]),
            "refers_to": [ae["id"]],
            "versions": [
                {"claim": f"{first['patients']} patients with {ae['term'].lower()}.", "source": ae["source"],
                 "value": first["patients"]},
                {"claim": f"{first['patients'] + rng.randint(1, 4)} patients with {ae['term'].lower()}.",
                 "source": other, "value": first["patients"] + 1,
                 "assessment": "Probably counts events rather than patients."},
            ],
            "note": "The versions may count different things.",
        })

    limitations = [
        {"type": kind, "text": text, "source": src()}
        for kind, text in rng.sample(LIMITATIONS, rng.randint(1, 3))
    ]
    mechanisms = []
    if rng.random() < 0.6:
        mechanisms.append({"hypothesis": f"{drug.capitalize()} blocks a pro-inflammatory signalling pathway.",
                           "status": "hypothesized", "source": src("synthetic-label", "synthetic-paper")})
    risk_of_bias = []
    if rng.random() < 0.5:
        answers = rng.choice(ROB2_ANSWER_SETS)
        risk_of_bias.append({
            "tool": "rob2",
            "endpoint": endpoints[0]["id"],
            "analysis_population": "all randomized patients",
            "effect": "assignment",
            "assessor": "synthetic data generator",
            "answers": [{"question": q, "answer": a, "support": "Synthetic answer for benchmarks.",
                         "source": src("synthetic-paper")} for q, a in answers.items()],
        })

    # every listed source must be cited somewhere: cite the rest in limitations
    for source in source_ids:
        if source not in sources.cited:
            limitations.append({"type": "other", "text": "A further synthetic limitation.", "source": source})

    start = datetime.date(year, rng.randint(1, 12), rng.randint(1, 28))
    end = start + datetime.timedelta(days=rng.randint(200, 1200))
    catalogue = {
        "synthetic-paper": {"kind": "primary-publication",
                            "citation": f"Synthetic trial {index:05d}: SYNTHETIC record generated by "
                            f"scripts/synth.py (seed {seed}) for benchmarks. Not a real publication; not evidence.",
                            "doi": f"10.5555/synthetic.{seed}.{index:05d}"},
        "synthetic-registry": {"kind": "registry",
                               "citation": f"Synthetic registry entry SYNTHETIC-{index:05d} (does not exist).",
                               "url": f"https://example.org/synthetic/registry/{index:05d}",
                               "note": "Synthetic source: generated numbers, not read from any registry."},
        "synthetic-safety": {"kind": "secondary-publication",
                             "citation": f"Synthetic safety analysis of synthetic trial {index:05d} (not real)."},
        "synthetic-abstract": {"kind": "secondary-report",
                               "citation": f"Synthetic conference abstract of synthetic trial {index:05d} (not real)."},
        "synthetic-news": {"kind": "news",
                           "citation": f"Synthetic news report on synthetic trial {index:05d} (not real)."},
        "synthetic-label": {"kind": "label", "citation": f"Synthetic product label of {drug} (not real)."},
    }
    record: dict[str, Any] = {
        "schema_version": 1,
        "id": trial_id,
        "status": "published",
        "title": f"Synthetic trial {index:05d}: {drug} versus {comparator} in {condition}",
        "short_name": f"SYN-{index:05d}",
        "registrations": [{"registry": "other", "id": f"SYNTHETIC-{index:05d}"}],
        "conditions": [condition],
        "interventions": [drug],
        "keywords": ["synthetic", drug, *([comparator] if comparator != "placebo" else [])],
        "population": f"SYNTHETIC data: {population_text}.",
        "bottom_line": f"SYNTHETIC record for benchmarks, not evidence. In {n_arms} synthetic arms of "
        f"{total_randomized} generated patients with {condition}, {drug} was compared with {comparator}; "
        "every number in this record is random.",
        "primary_source": "synthetic-paper",
        "review": {"last_reviewed": "2026-01-01", "reviewers": ["synthetic data generator"]},
        "sources": [{"id": s, **catalogue[s]} for s in source_ids],
        "design": {
            "phase": rng.choice(["2", "3", "3", "4"]),
            "allocation": "randomized",
            "model": "parallel",
            "control": comparator_kind,
            "allocation_ratio": ":".join("1" for _ in arms),
            "masking": {"level": rng.choice(["double", "triple", "quadruple"]),
                        "roles": ["participant", "investigator"], "source": src("synthetic-registry")},
            "sites": {"value": rng.randint(5, 120), "source": src("synthetic-paper", "synthetic-registry")},
            "countries": {"value": rng.randint(1, 20), "source": src("synthetic-registry")},
            "start_date": {"value": start.isoformat(), "source": src("synthetic-registry")},
            "completion_date": {"value": end.isoformat(), "source": src("synthetic-registry")},
            "periods": periods,
            "eligibility": {
                "age": "18 to 75 years",
                "inclusion": [{"text": f"Diagnosis of {condition} for at least 6 months.",
                               "source": src("synthetic-registry")},
                              {"text": "Active disease despite standard treatment.", "source": src("synthetic-paper")}],
                "exclusion": [{"text": "Pregnancy or breastfeeding.", "source": src("synthetic-registry")}],
            },
            "dosing": [
                {"treatment": "study-drug", "regimen": f"{drug.capitalize()} {', '.join(str(d) for d in doses)} mg "
                 "once daily by mouth.", "source": src("synthetic-paper"), "locator": "Methods"},
                {"treatment": "comparator", "regimen": "On the same schedule.", "source": src("synthetic-paper")},
            ],
        },
        "treatments": treatments,
        "arms": arms,
        "populations": populations,
        "flow": flow,
        "baseline": baseline,
        "endpoints": endpoints,
        "results": results,
        "adverse_events": adverse_events,
        "conflicts": conflicts,
        "limitations": limitations,
        "mechanisms": mechanisms,
        "risk_of_bias": risk_of_bias,
    }
    return {k: v for k, v in record.items() if v != []}


class _Dumper(yaml.SafeDumper):
    """Block style like the hand-written records: lists indented under their key, short rows on one line."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def _represent_dict(dumper: yaml.SafeDumper, data: dict[str, Any]) -> yaml.Node:
    short = all(_is_scalar(v) or (isinstance(v, dict) and all(map(_is_scalar, v.values()))) for v in data.values())
    flow = short and len(repr(data)) <= FLOW_WIDTH
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=flow)


def _represent_list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    flow = all(_is_scalar(v) for v in data) and len(repr(data)) <= FLOW_WIDTH
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


_Dumper.add_representer(dict, _represent_dict)
_Dumper.add_representer(list, _represent_list)


def dump(record: dict[str, Any], seed: int) -> str:
    body = yaml.dump(record, Dumper=_Dumper, sort_keys=False, width=110, allow_unicode=True)
    return HEADER.format(seed=seed) + body


def write(n: int, out: str, seed: int = 1) -> list[str]:
    """Write records 1..n into ``out``; return the paths written."""
    os.makedirs(out, exist_ok=True)
    paths = []
    for index in range(1, n + 1):
        record = make_record(index, seed)
        path = os.path.join(out, f"{record['id']}.yaml")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(dump(record, seed))
        paths.append(path)
    return paths


TRIALS_PER_QUESTION = 10


def poolable(trials_dir: str) -> list[tuple[str, str, str | None]]:
    """(trial, endpoint, analysis population) of each published trial's first result with counts to pool."""
    found = []
    for name in sorted(os.listdir(trials_dir)):
        with open(os.path.join(trials_dir, name), "rb") as handle:
            record = yaml.load(handle, Loader=yaml.CSafeLoader)
        if record["status"] != "published" or record["design"]["model"] != "parallel":
            continue
        result = next((r for r in record["results"] if "binary" in r), None)
        if result is not None:
            found.append((record["id"], result["endpoint"], result.get("analysis_population")))
    return found


def question_text(index: int, uses: list[tuple[str, str, str | None]]) -> str:
    """A published question pooling the risk ratio of the given trial endpoints."""
    studies = "".join(
        f"      - {{trial: {t}, endpoint: {e}" + (f", analysis_population: {p}" if p else "") + "}\n"
        for t, e, p in uses)
    return (f"schema_version: 1\nid: question-{index:03d}\nstatus: published\ntitle: Synthetic question {index}\n"
            f"short_name: Q{index}\npico: {{population: Adults., intervention: drug, comparator: control}}\n"
            "outcomes:\n  - id: response\n    label: Response\n    kind: benefit\n    importance: critical\n"
            "    better: higher\n    analysis: {measure: rr}\n    studies:\n" + studies +
            "conclusion: Synthetic.\nreview: {last_reviewed: 2026-12-01, reviewers: [bench]}\n")


def write_questions(count: int, trials_dir: str, out: str, per_question: int = TRIALS_PER_QUESTION) -> list[str]:
    """Write ``count`` questions into ``out``, each pooling ``per_question`` of the trials in ``trials_dir``
    (taken in turn, so that every poolable trial is read by some question once there are enough)."""
    uses = poolable(trials_dir)
    os.makedirs(out, exist_ok=True)
    paths = []
    for q in range(count if uses else 0):
        chosen = [uses[(q * per_question + j) % len(uses)] for j in range(min(per_question, len(uses)))]
        path = os.path.join(out, f"question-{q:03d}.yaml")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(question_text(q, chosen))
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, required=True, help="number of records")
    parser.add_argument("--out", required=True, help="folder to write the records into (created if missing)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default: 1)")
    parser.add_argument("--questions", type=int, default=0, help="questions over the records (default: none)")
    parser.add_argument("--questions-out", help="folder to write the questions into (required with --questions)")
    args = parser.parse_args(argv)
    if args.n < 0 or args.questions < 0:
        parser.error("--n and --questions must be >= 0")
    if args.questions and not args.questions_out:
        parser.error("--questions needs --questions-out")
    write(args.n, args.out, args.seed)
    print(f"{args.n} synthetic record(s) written to {args.out}", file=sys.stderr)
    if args.questions:
        write_questions(args.questions, args.out, args.questions_out)
        print(f"{args.questions} synthetic question(s) written to {args.questions_out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
