"""Outbound links built defensively: only http(s) URLs ever become an ``href``.

The models already restrict ``url`` to http(s) and DOIs/PMIDs/registry ids to safe patterns, but a page
must stay safe even if a model is loosened later, so every href passes through here again. Anything that
does not qualify is shown as plain (escaped) text instead of a link.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

_CONTROL = re.compile(r"[\x00-\x20\x7f<>\"'`\\]")
_NCT = re.compile(r"^NCT\d{8}$")
_EUCTR = re.compile(r"^\d{4}-\d{6}-\d{2}$")
_ISRCTN = re.compile(r"^ISRCTN\d{8}$")
_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
_PMID = re.compile(r"^[1-9][0-9]{0,8}$")


def safe_url(url: str | None) -> str | None:
    """``url`` if it is an absolute http(s) URL without spaces, quotes or control characters, else None."""
    if not url or _CONTROL.search(url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url


def doi_url(doi: str | None) -> str | None:
    """The resolver link for a DOI (https://doi.org/...), percent-encoding anything unusual."""
    if not doi or not _DOI.match(doi):
        return None
    return safe_url("https://doi.org/" + quote(doi, safe="/()._-;:"))


def pubmed_url(pmid: str | None) -> str | None:
    if not pmid or not _PMID.match(pmid):
        return None
    return f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/"


def registry_url(registry: str, identifier: str) -> str | None:
    """Public page of a registration; None for registries or ids we cannot link reliably."""
    if registry == "clinicaltrials.gov" and _NCT.match(identifier):
        return f"https://clinicaltrials.gov/study/{identifier}"
    if registry == "eu-ctr" and _EUCTR.match(identifier):
        return f"https://www.clinicaltrialsregister.eu/ctr-search/search?query={identifier}"
    if registry == "isrctn" and _ISRCTN.match(identifier):
        return f"https://www.isrctn.com/{identifier}"
    return None
