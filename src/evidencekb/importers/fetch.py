"""Getting a ClinicalTrials.gov study: from a saved API v2 response, or by NCT id over HTTPS.

Network failures become one-line ``RegistryError`` messages (offline, unknown id, registry down), never
tracebacks. Server errors (5xx) are retried a few times with a short pause; a timeout bounds every
request. ``EVIDENCEKB_CTGOV_API`` replaces the API address, for a mirror; plain http is accepted only on
the loopback interface, so tests can serve a fixture from 127.0.0.1 and nothing else travels unencrypted.
"""

from __future__ import annotations

import os
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from evidencekb.importers.ctgov import NCT_ID, RegistryError, parse_study

API = "https://clinicaltrials.gov/api/v2"
TIMEOUT_SECONDS = 30.0
ATTEMPTS = 3
PAUSE_SECONDS = 1.0
MAX_BYTES = 50 * 1024 * 1024
_LOOPBACK = ("127.0.0.1", "localhost", "::1")


def load_study(spec: str) -> dict[str, Any]:
    """The study for an NCT id (fetched) or a path to a saved JSON response (read)."""
    if NCT_ID.fullmatch(spec) and not os.path.exists(spec):
        return parse_study(fetch(spec))
    if not os.path.exists(spec):
        raise RegistryError(f"{spec!r} is neither an NCT id (NCT and 8 digits) nor a file")
    try:
        with open(spec, "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise RegistryError(f"cannot read {spec}: {exc.strerror or exc}") from None
    if len(raw) > MAX_BYTES:
        raise RegistryError(f"{spec} is larger than {MAX_BYTES // 1024 // 1024} MB")
    return parse_study(raw)


def fetch(nct_id: str) -> bytes:
    """The API v2 response for one study, retrying server errors after PAUSE_SECONDS, then twice that."""
    url = f"{_api()}/studies/{nct_id}?format=json"
    attempt = 1
    while True:
        try:
            request = urllib.request.Request(url, headers={"Accept": "application/json"})
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 (scheme checked)
                raw: bytes = response.read(MAX_BYTES + 1)
            if len(raw) > MAX_BYTES:
                raise RegistryError(f"the registry's answer for {nct_id} is larger than {MAX_BYTES // 2**20} MB")
            return raw
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                raise RegistryError(f"{nct_id} is not on ClinicalTrials.gov (HTTP 404 from {url})") from None
            if exc.code < 500 or attempt == ATTEMPTS:
                raise RegistryError(f"ClinicalTrials.gov answered HTTP {exc.code} for {nct_id}"
                                    f" ({attempt} attempt(s)); try again later") from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise RegistryError(f"cannot reach ClinicalTrials.gov ({reason}); offline? Save the study's"
                                " JSON and give its file instead") from None
        time.sleep(PAUSE_SECONDS * attempt)
        attempt += 1


def _api() -> str:
    api = os.environ.get("EVIDENCEKB_CTGOV_API", API).rstrip("/")
    parts = urllib.parse.urlsplit(api)
    if parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in _LOOPBACK):
        return api
    raise RegistryError(f"EVIDENCEKB_CTGOV_API must be an https address (got {api!r})")
