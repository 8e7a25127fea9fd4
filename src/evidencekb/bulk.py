"""One compressed download of every published trial: its record (YAML) and its computed JSON.

Per-trial copies of both cost about 25 KB a trial on the site's disk; one gzip-compressed tar archive
holds the same files under the same names (``<id>.yaml``, ``<id>.computed.json``) in a fraction of
that. The archive is written as each record's page is made, so the build holds none of them, and it is
reproducible: no times, owners or modes from the machine, the records in the order of the pages.
"""

from __future__ import annotations

import gzip
import io
import tarfile


class BulkArchive:
    """A ``.tar.gz`` file being written, one text member at a time."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._raw = open(path, "wb")  # noqa: SIM115 - closed by close(), after the last member
        self._gzip = gzip.GzipFile(filename="", mode="wb", fileobj=self._raw, mtime=0)
        self._tar = tarfile.open(fileobj=self._gzip, mode="w", format=tarfile.PAX_FORMAT)
        self.members = 0

    def add(self, name: str, text: str) -> None:
        data = text.encode("utf-8")
        info = tarfile.TarInfo(name)
        info.size, info.mode, info.mtime = len(data), 0o644, 0
        self._tar.addfile(info, io.BytesIO(data))
        self.members += 1

    def close(self) -> None:
        """Finish the file (idempotent)."""
        if not self._raw.closed:
            self._tar.close()
            self._gzip.close()
            self._raw.close()
