"""The JSON Schema of a record, generated from the models (never written by hand)."""

from __future__ import annotations

import json

from pydantic import BaseModel

from evidencekb.models import SCHEMA_VERSION, Trial
from evidencekb.models.question import Question

SCHEMA_PATH = "schema/trial.schema.json"
SCHEMA_ID = "https://evidencekb.org/schema/trial.schema.json"
QUESTION_SCHEMA_NAME = "question.schema.json"
"""The question records' schema, written next to the trial schema."""


def trial_schema_text() -> str:
    return _schema_text(Trial, SCHEMA_ID)


def question_schema_text() -> str:
    return _schema_text(Question, SCHEMA_ID.replace("trial.schema.json", QUESTION_SCHEMA_NAME))


def _schema_text(model: type[BaseModel], schema_id: str) -> str:
    schema = model.model_json_schema(mode="validation")
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": schema_id,
        "x-schema-version": SCHEMA_VERSION,
        **schema,
    }
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
