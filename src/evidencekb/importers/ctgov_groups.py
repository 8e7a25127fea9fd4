"""Which registry groups are a record's arms, and which treatments each arm received.

The registry describes the same arms three times with different titles: the protocol's arm groups
("Certolizumab Pegol 200 mg Q2W"), the participant flow ("CZP 200 mg Q2W") and the results and adverse
events modules ("CZP 200 mg Q2W (FAS)", "... (SS)"). The flow's groups that started the first period are
the randomized arms; other modules' groups are matched to them by title without a trailing
parenthesis (``title_key``), protocol arm groups by title or, failing that, by a near-identical
description. A group that matches nothing is left out of the draft and named in a comment, never guessed.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from evidencekb.importers.ctgov import Located, Study, plain, title_key

COMPARATOR_TYPES = {"PLACEBO_COMPARATOR", "ACTIVE_COMPARATOR", "SHAM_COMPARATOR", "NO_INTERVENTION"}
_INERT = re.compile(r"\b(placebo|sham|vehicle)\b", re.IGNORECASE)
_SIMILAR_DESCRIPTION = 0.8


@dataclass(frozen=True)
class ArmGroup:
    """A randomized arm as the draft writes it, with the registry groups it stands for."""

    id: str
    label: str
    flow_id: str | None
    started: Located | None
    protocol: dict[str, Any] | None

    @property
    def arm_type(self) -> str:
        return str((self.protocol or {}).get("type", ""))


@dataclass(frozen=True)
class TreatmentInfo:
    id: str
    label: str
    role: str
    description: str
    arm_labels: tuple[str, ...]


def slugify(text: str, limit: int = 60) -> str:
    words = re.sub(r"[^a-z0-9]+", " ", text.lower()).split()
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > limit:
            break
        slug = candidate
    return slug or "item"


def unique(slug: str, taken: set[str]) -> str:
    candidate, n = slug, 2
    while candidate in taken:
        candidate, n = f"{slug}-{n}", n + 1
    taken.add(candidate)
    return candidate


def arms(study: Study, taken: set[str]) -> list[ArmGroup]:
    """Flow groups that started the first period; protocol arm groups when the study has no results."""
    protocol_arms = [a for a in study.module(study.protocol, "armsInterventionsModule").get("armGroups") or []
                     if isinstance(a, dict)]
    periods = study.flow_periods()
    started = periods[0].milestones[0].counts if periods and periods[0].milestones else {}
    result = []
    for gid, title in study.flow_groups().items():
        count = started.get(gid)
        if count is None or count.value < 1:
            continue
        description = _flow_description(study, gid)
        result.append(ArmGroup(unique(slugify(title), taken), title, gid, count,
                               _protocol_arm(title, description, protocol_arms)))
    if not result:
        result = [ArmGroup(unique(slugify(str(a.get("label", "arm"))), taken), str(a.get("label", "")), None, None, a)
                  for a in protocol_arms]
    return result


def treatments(study: Study, taken: set[str]) -> list[TreatmentInfo]:
    module = study.module(study.protocol, "armsInterventionsModule")
    arm_types = {str(a.get("label")): str(a.get("type", ""))
                 for a in module.get("armGroups") or [] if isinstance(a, dict)}
    found = []
    for item in module.get("interventions") or []:
        if not isinstance(item, dict) or not item.get("name"):
            continue
        name = plain(item["name"])
        labels = tuple(str(label) for label in item.get("armGroupLabels") or [])
        comparator = bool(_INERT.search(name)) or bool(labels) and all(
            arm_types.get(label) in COMPARATOR_TYPES for label in labels)
        kind = str(item.get("type", "")).replace("_", " ").lower()
        parts = (kind.capitalize() + "." if kind else "", plain(item.get("description")))
        description = " ".join(p for p in parts if p)
        found.append(TreatmentInfo(unique(slugify(name, 40), taken), name,
                                   "comparator" if comparator else "intervention", description, labels))
    return found


def arm_role(arm: ArmGroup, received: list[TreatmentInfo]) -> str | None:
    """comparator or intervention from the arm's type and treatments; None when the registry does not say."""
    if arm.arm_type in COMPARATOR_TYPES or (received and all(t.role == "comparator" for t in received)):
        return "comparator"
    if received and arm.arm_type in ("EXPERIMENTAL", "OTHER", ""):
        return "intervention"
    return None


def received_by(arm: ArmGroup, all_treatments: list[TreatmentInfo]) -> list[TreatmentInfo]:
    label = str((arm.protocol or {}).get("label", ""))
    return [t for t in all_treatments if label and label in t.arm_labels]


def match_groups(groups: dict[str, str], arm_groups: list[ArmGroup]) -> dict[str, ArmGroup]:
    """Registry group id -> arm, for the groups whose title (without a trailing parenthesis) is an arm's."""
    by_key: dict[str, ArmGroup] = {}
    for arm in arm_groups:
        by_key.setdefault(title_key(arm.label), arm)
    return {gid: by_key[title_key(title)] for gid, title in groups.items() if title_key(title) in by_key}


def _flow_description(study: Study, gid: str) -> str:
    for group in study.module(study.results, "participantFlowModule").get("groups") or []:
        if isinstance(group, dict) and group.get("id") == gid:
            return plain(group.get("description"))
    return ""


def _protocol_arm(title: str, description: str, protocol_arms: list[dict[str, Any]]) -> dict[str, Any] | None:
    for arm in protocol_arms:
        if title_key(str(arm.get("label", ""))) == title_key(title):
            return arm
    scored = [(difflib.SequenceMatcher(None, description.lower(), str(a.get("description", "")).lower()).ratio(), i)
              for i, a in enumerate(protocol_arms) if description]
    best = max(scored, default=(0.0, -1))
    return protocol_arms[best[1]] if best[0] >= _SIMILAR_DESCRIPTION else None


def at_risk_populations(study: Study, arm_groups: list[ArmGroup]) -> Iterator[tuple[str, ArmGroup, Located]]:
    """(population id, arm, size) for adverse-event denominators that differ from the arm's size."""
    groups = match_groups(study.event_groups(), arm_groups)
    seen: set[tuple[str, float]] = set()
    for row in study.event_rows():
        for gid, at_risk in row.at_risk.items():
            arm = groups.get(gid)
            if arm and arm.started and at_risk.value != arm.started.value and (arm.id, at_risk.value) not in seen:
                seen.add((arm.id, at_risk.value))
                yield f"{arm.id}-at-risk-{at_risk.text}", arm, at_risk
