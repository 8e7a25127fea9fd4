"""Pagefind's index as the browser reads it, for the benchmarks and the tests: which pages it holds, their
text and sections, and which pages a word finds.

The format, as Pagefind 1.5 writes it (read from its output; ``tests/test_pagefind_files.py`` checks
this reader against an index Pagefind writes): each file is gzip-compressed and starts with the
signature ``pagefind_dcd``. The page fragments (``fragment/<hash>.pf_fragment``) are JSON (``url``,
``content``, and ``anchors``: each element with an id, at the position of its first word in ``content``);
the language's metadata (``pagefind.<hash>.pf_meta``, its hash in
``pagefind-entry.json``) and the word index chunks (``index/<hash>.pf_index``) are CBOR. The metadata
is ``[version, [[page hash, word count], ...], [[first word, last word, chunk hash], ...], ...]``, and
a chunk is ``[[[word, [[page number, positions, ...], ...], ...], ...]]``, each page number counted
from the one before (the first from 0) and indexing the metadata's pages. Pagefind stems words, so the
benchmark's markers end in digits, which its English stemmer leaves alone.
"""

from __future__ import annotations

import gzip
import itertools
import json
import re
import struct
from collections.abc import Callable
from pathlib import Path
from typing import Any

SIGNATURE = b"pagefind_dcd"
Fetch = Callable[[str], bytes | None]  # a path under pagefind/ -> its bytes, None if absent


def decoded(data: bytes) -> bytes:
    """The content of one Pagefind file, its compression and signature removed."""
    raw = gzip.decompress(data)
    if not raw.startswith(SIGNATURE):
        raise ValueError("not a Pagefind file")
    return raw[len(SIGNATURE):]


def cbor(data: bytes) -> Any:
    """The CBOR value of ``data`` (the subset Pagefind writes: integers, strings, arrays, maps, floats)."""
    value, _ = _item(data, 0)
    return value


def _item(data: bytes, at: int) -> tuple[Any, int]:
    major, info = data[at] >> 5, data[at] & 31
    at += 1
    if major == 7:
        sizes = {25: (">e", 2), 26: (">f", 4), 27: (">d", 8)}
        if info in sizes:
            fmt, size = sizes[info]
            return struct.unpack(fmt, data[at:at + size])[0], at + size
        return {20: False, 21: True, 22: None}.get(info), at
    if info < 24:
        length = info
    else:
        size = 1 << (info - 24)
        length, at = int.from_bytes(data[at:at + size], "big"), at + size
    if major == 0:
        return length, at
    if major == 1:
        return -1 - length, at
    if major in (2, 3):
        chunk = data[at:at + length]
        return (chunk.decode("utf-8") if major == 3 else chunk), at + length
    if major == 4:
        items = []
        for _ in range(length):
            item, at = _item(data, at)
            items.append(item)
        return items, at
    if major == 5:
        mapping = {}
        for _ in range(length):
            key, at = _item(data, at)
            mapping[key], at = _item(data, at)
        return mapping, at
    if major == 6:  # a tag: its value
        return _item(data, at)
    raise ValueError(f"CBOR major type {major} at {at}")


class PagefindIndex:
    """The index served under ``pagefind/``, read through ``fetch``."""

    def __init__(self, fetch: Fetch) -> None:
        entry = fetch("pagefind-entry.json")
        if entry is None:
            raise ValueError("no pagefind-entry.json")
        language = json.loads(entry)["languages"]["en"]
        meta = fetch(f"pagefind.{language['hash']}.pf_meta")
        if meta is None:
            raise ValueError("no Pagefind metadata")
        _, pages, chunks, *_ = cbor(decoded(meta))
        self._fetch = fetch
        self.page_hashes: list[str] = [page[0] for page in pages]
        self._chunks: list[tuple[str, str, str]] = [tuple(chunk) for chunk in chunks]

    @classmethod
    def in_folder(cls, folder: Path) -> PagefindIndex:
        """The index Pagefind wrote into ``folder``."""
        return cls(lambda p: (folder / p).read_bytes() if (folder / p).is_file() else None)

    def fragment(self, page_hash: str) -> dict[str, Any]:
        data = self._fetch(f"fragment/{page_hash}.pf_fragment")
        if data is None:
            raise ValueError(f"no fragment {page_hash}")
        return dict(json.loads(decoded(data)))

    def pages(self) -> dict[str, str]:
        """Each indexed page's URL and its indexed text."""
        fragments = (self.fragment(h) for h in self.page_hashes)
        return {f["url"]: f["content"] for f in fragments}

    def sections(self) -> dict[str, dict[str, str]]:
        """Each indexed page's URL and its sections: the id of each heading with one, and the text from that
        heading to the next (the section a result's deep link opens, as Pagefind's sub-results link them)."""
        found: dict[str, dict[str, str]] = {}
        for fragment in (self.fragment(h) for h in self.page_hashes):
            words = fragment["content"].split()  # an anchor's location counts these words
            headings = [a for a in fragment["anchors"] if re.fullmatch(r"h[1-6]", a["element"]) and a["id"]]
            ends = [a["location"] for a in headings[1:]] + [len(words)]
            found[fragment["url"]] = {a["id"]: " ".join(words[a["location"]:end])
                                      for a, end in zip(headings, ends, strict=True)}
        return found

    def urls_with(self, word: str) -> set[str]:
        """The URLs of the pages in which search finds ``word`` (in lower case, as Pagefind keeps it)."""
        found: set[str] = set()
        for first, last, chunk_hash in self._chunks:
            if not first <= word <= last:
                continue
            data = self._fetch(f"index/{chunk_hash}.pf_index")
            if data is None:
                raise ValueError(f"no index chunk {chunk_hash}")
            for entry in cbor(decoded(data))[0]:
                if entry[0] == word:
                    numbers = itertools.accumulate(page[0] for page in entry[1])  # each from the one before
                    found |= {self.fragment(self.page_hashes[n])["url"] for n in numbers}
        return found
