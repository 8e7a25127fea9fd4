"""One compressed download of every published trial: its record (YAML) and its computed JSON.

Per-trial copies of both cost about 25 KB a trial on the site's disk; one gzip-compressed tar archive
holds the same files under the same names (``<id>.yaml``, ``<id>.computed.json``) in a fraction of
that. The archive is written as each record's page is made, so the build holds none of them, and it is
reproducible: no times, owners or modes from the machine, the records in the order of the pages.

Each record's files are compressed where the record is built (``compressed_members``, in the site
build's worker processes) as a gzip member of their own; the archive is those members one after the
other, then one holding tar's end blocks. A gzip file of several members is one stream to every reader
(RFC 1952, section 2.2; Python's ``gzip`` and ``tarfile``, GNU tar), and the process that converts the
pages only appends bytes: compressing in it took 1.5 ms a trial (3 to 5 s per 1,000 trials while the
workers ran). Compressing each record apart costs bytes: 7.3 KB a synthetic trial (``scripts/synth.py``)
against 5.8 KB in one stream, 1.5 MB per 1,000 trials.
"""

from __future__ import annotations

import gzip
import tarfile

_END = b"\0" * (2 * tarfile.BLOCKSIZE)  # tar's end-of-archive marker


def compressed_members(files: list[tuple[str, str]]) -> bytes:
    """Tar members of ``files`` (name, text), gzip-compressed as one gzip member; mtime, owner fixed."""
    blocks = bytearray()
    for name, text in files:
        data = text.encode("utf-8")
        info = tarfile.TarInfo(name)
        info.size, info.mode, info.mtime = len(data), 0o644, 0
        blocks += info.tobuf(tarfile.PAX_FORMAT, "utf-8", "surrogateescape") + data
        blocks += b"\0" * (-len(data) % tarfile.BLOCKSIZE)
    return gzip.compress(bytes(blocks), mtime=0)


class BulkArchive:
    """A ``.tar.gz`` file being written, one record's :func:`compressed_members` at a time."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._raw = open(path, "wb")  # noqa: SIM115 - closed by close(), after the last member
        self.members = 0

    def add(self, members: bytes) -> None:
        self._raw.write(members)
        self.members += 1

    def close(self) -> None:
        """Finish the file (idempotent)."""
        if not self._raw.closed:
            self._raw.write(gzip.compress(_END, mtime=0))
            self._raw.close()
