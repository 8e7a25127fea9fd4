"""Converted pages kept on disk between MkDocs converting them and writing them.

MkDocs converts every page's Markdown to HTML first and writes the pages afterwards, so a build would
hold the HTML of every page at once (about 45 KB a trial page: 450 MB at 10,000 trials). A
:class:`PageStore` appends each page's HTML to one temporary file when it is converted and hands it back
when the page is written, so the build holds an offset and a length per page instead.
"""

from __future__ import annotations

import tempfile


class PageStore:
    """Texts by key, on disk until taken back once."""

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile()  # removed by the system when closed, even after a crash
        self._where: dict[str, tuple[int, int]] = {}

    def put(self, key: str, text: str) -> None:
        data = text.encode("utf-8")
        offset = self._file.seek(0, 2)
        self._file.write(data)
        self._where[key] = (offset, len(data))

    def take(self, key: str) -> str | None:
        """The text put under ``key`` (None if there is none), which the store then forgets."""
        where = self._where.pop(key, None)
        if where is None:
            return None
        offset, size = where
        self._file.seek(offset)
        return self._file.read(size).decode("utf-8")

    def close(self) -> None:
        self._file.close()
        self._where.clear()
