"""The JSON Schema of a record, generated from the models (never written by hand)."""

from __future__ import annotations

import json

from evidencekb.models import SCHEMA_VERSION, Trial

SCHEMA_PATH = "schema/trial.schema.json"
SCHEMA_ID = "https://evidencekb.org/schema/trial.schema.json"


def trial_schema_text() -> str:
    schema = Trial.model_json_schema(mode="validation")
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "x-schema-version": SCHEMA_VERSION,
        **schema,
    }
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
