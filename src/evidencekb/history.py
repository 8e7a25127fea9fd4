"""The change history of the records, read from git at build time.

Every change to a record is a reviewed commit, so the history of what changed for readers is in git
already. ``git log`` lists, oldest first, each commit that touched a record file with the blob ids of
the file before and after it; ``git cat-file --batch`` (one process for the whole history) gives their
text, and each version goes through the same pipeline as ``evidencekb validate``
(``evidencekb.pipeline``). The two versions of each change are compared by their kind's describer
(``evidencekb.changes``), which keeps what matters to a reader and counts the rest as cosmetic. After
each commit, every question whose version or trials changed is pooled again from that commit's versions,
and a pooled result that moved joins the question's entry for the commit (``evidencekb.questions.history``),
also when only a trial it reads changed. Each version is checked once, by blob id.

git runs with argument lists, never through a shell. A version that is not valid (a commit that broke
the record, fixed by a later one) is skipped: the next change is compared with the last valid version.
Merge commits add no entry of their own (git shows no change for them without a choice of parent), and
a renamed file starts a new history under its new name. A shallow clone lacks the older commits, and a
history read from it would start with every record "added" by the oldest commit it has: then there is
no history at all, and :attr:`History.missing` says why.
"""

from __future__ import annotations

import dataclasses
import datetime
import os
import re
import subprocess
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from evidencekb.changes import KIND_ORDER, Change, describe
from evidencekb.content_rules import RECORD_SUFFIXES
from evidencekb.pipeline import CheckedRecord, check_record, no_cycle_collection
from evidencekb.questions.history import PooledHistory

_RAW = re.compile(r"^\n?:\d{6} \d{6} ([0-9a-f]{40}) ([0-9a-f]{40}) ([ADMT])$")
_NO_BLOB = "0" * 40


@dataclass(frozen=True)
class Commit:
    sha: str
    date: str
    """When the commit was made (its committer date), ISO 8601 in UTC: ``2026-11-24T16:19:45Z``."""
    subject: str
    """The first line of the commit message: untrusted text, escaped wherever it is shown."""


@dataclass(frozen=True)
class Entry:
    """What one commit changed in one record: the changes that matter, and how many cosmetic ones it had."""

    commit: Commit
    record: str
    """The record's file relative to the content folder, without its suffix: ``trials/proderm``."""
    changes: tuple[Change, ...]
    cosmetic: int = 0

    @property
    def matters(self) -> bool:
        return bool(self.changes)


@dataclass
class History:
    """Every entry of the records' history, newest first; ``missing`` says why there is none."""

    entries: list[Entry] = field(default_factory=list)
    missing: str | None = None

    def of(self, record: str) -> list[Entry]:
        return [e for e in self.entries if e.record == record]


class _GitError(Exception):
    pass


def read_history(content_dir: str) -> History:
    """The history of the records under ``content_dir`` (the site's docs folder), newest first."""
    try:
        root = _git_text(content_dir, "rev-parse", "--show-toplevel").strip()
        _git(root, "rev-parse", "--verify", "--quiet", "HEAD")
    except _GitError:
        return History(missing="the content folder is not in a git repository with commits")
    if _git_text(root, "rev-parse", "--is-shallow-repository").strip() == "true":
        return History(missing="the repository is a shallow clone (fetch the whole history: git fetch --unshallow)")
    try:
        return History(_entries(root, content_dir))
    except _GitError as exc:
        return History(missing=f"git could not read the history: {exc}")


def _entries(root: str, content_dir: str) -> list[Entry]:
    content = os.path.relpath(os.path.realpath(content_dir), os.path.realpath(root))
    prefix = "" if content == "." else content.replace(os.sep, "/") + "/"
    log = _git(root, "log", "--reverse", "--no-merges", "--no-renames", "--no-abbrev", "--raw", "-z",
               "--format=%x1e%H%x00%ct%x00%s", "HEAD", "--", content)
    commits = [(commit, [(old, new, path) for old, new, path in changed
                         if path.startswith(prefix) and path.endswith(RECORD_SUFFIXES)])
               for commit, changed in _commits(log.decode("utf-8", errors="replace"))]
    uses = Counter((blob, path) for _, changed in commits for old, new, path in changed for blob in (old, new))
    entries: list[Entry] = []
    last: dict[str, tuple[str, CheckedRecord]] = {}  # per file: its last valid version (blob id, record)
    pooled = PooledHistory()
    with _Versions(root, uses) as versions, no_cycle_collection():
        for commit, changed in commits:
            made: dict[str, Entry] = {}
            for old, new, path in changed:
                entry = _entry(commit, _record_name(path, prefix), path, old, new, last, versions)
                versions.used(path, old, new)
                pooled.track(path, last.get(path))
                if entry is not None:
                    made[path] = entry
            for path, moves in pooled.moved().items():
                entry = made.get(path, Entry(commit, _record_name(path, prefix), ()))
                changes = sorted(entry.changes + tuple(moves), key=lambda c: KIND_ORDER.index(c.kind))
                made[path] = dataclasses.replace(entry, changes=tuple(changes))
            entries.extend(made.values())
    entries.reverse()
    return entries


def _record_name(path: str, prefix: str) -> str:
    return os.path.splitext(path[len(prefix):])[0]


def _entry(commit: Commit, record: str, path: str, old: str, new: str,
           last: dict[str, tuple[str, CheckedRecord]], versions: _Versions) -> Entry | None:
    before = current = last.get(path)
    if before is not None and before[0] != old and old != _NO_BLOB:
        parsed = versions.checked(path, old)  # the file came from another line of history (a merged branch)
        before = (old, parsed) if parsed.valid else before
    if new == _NO_BLOB:
        last.pop(path, None)
        versions.superseded(current)
        return Entry(commit, record, (Change("record", "Record removed"),)) if before else None
    after = versions.checked(path, new)
    if not after.valid:
        return None
    last[path] = (new, after)
    if before is None:
        return Entry(commit, record, (Change("record", "Record added"),))
    changes, cosmetic = describe(before[1], after)
    versions.superseded(before, current)
    return Entry(commit, record, tuple(changes), cosmetic)


def _commits(log: str) -> Iterator[tuple[Commit, list[tuple[str, str, str]]]]:
    """(commit, [(old blob, new blob, path)]) from ``git log -z --raw`` with the header ``\\x1e sha, time, subject``.

    The tokens are read by position: a subject or a path can hold any character but NUL, so neither is
    searched for a separator.
    """
    tokens = log.split("\0")
    i = 0
    while i + 2 < len(tokens):
        sha = tokens[i].lstrip("\n").removeprefix("\x1e")
        stamp = datetime.datetime.fromtimestamp(int(tokens[i + 1]), datetime.UTC)
        commit = Commit(sha, stamp.strftime("%Y-%m-%dT%H:%M:%SZ"), tokens[i + 2])
        i += 3
        changed = []
        while i + 1 < len(tokens) and (raw := _RAW.match(tokens[i])):
            changed.append((raw.group(1), raw.group(2), tokens[i + 1]))
            i += 2
        yield commit, changed


class _BlobReader:
    """File contents by blob id from one ``git cat-file --batch`` process."""

    def __init__(self, root: str) -> None:
        self.root = root
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> _BlobReader:
        self.process = subprocess.Popen(["git", "cat-file", "--batch"], cwd=self.root, stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        return self

    def __exit__(self, *_: object) -> None:
        assert self.process is not None and self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait()

    def read(self, blob: str) -> bytes:
        assert self.process is not None and self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(blob.encode() + b"\n")
        self.process.stdin.flush()
        header = self.process.stdout.readline().split()
        if len(header) != 3 or header[1] != b"blob":
            raise _GitError(f"git cat-file: no blob {blob}")
        data = self.process.stdout.read(int(header[2]) + 1)  # the content and a line feed
        return data[:-1]


class _Versions(_BlobReader):
    """Each version of a record through the pipeline once: by blob id (and file, which decides its kind), the
    same text is the same checked record. A file edited on two branches is compared, after the merge, with
    a version checked before, and a revert brings an old version back.

    ``uses`` counts the changes that name each version (as their old or new side); a version is kept until
    its last one, so that only the versions the history will need again stay in memory. Its effects (most
    of the cost) are computed only when it is compared, and dropped once it is no longer its file's current
    version: they take ten times the memory of the checked record, and are computed again in the rare case
    that the version comes back.
    """

    def __init__(self, root: str, uses: Counter[tuple[str, str]]) -> None:
        super().__init__(root)
        self._uses = uses
        self._checked: dict[tuple[str, str], CheckedRecord] = {}

    def checked(self, path: str, blob: str) -> CheckedRecord:
        key = (blob, path)
        if key not in self._checked:
            self._checked[key] = check_record(f"{blob[:12]}:{path}", self.read(blob))
        return self._checked[key]

    def used(self, path: str, *blobs: str) -> None:
        """One change named these versions: forget each that no later change names."""
        for blob in blobs:
            self._uses[blob, path] -= 1
            if self._uses[blob, path] <= 0:
                self._checked.pop((blob, path), None)

    @staticmethod
    def superseded(*versions: tuple[str, CheckedRecord] | None) -> None:
        for version in versions:
            if version is not None:
                version[1].computed = None

    def __enter__(self) -> _Versions:
        super().__enter__()
        return self


def _git(cwd: str, *args: str) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except OSError as exc:
        raise _GitError(str(exc)) from None
    if done.returncode != 0:
        raise _GitError(done.stderr.decode(errors="replace").strip())
    return done.stdout


def _git_text(cwd: str, *args: str) -> str:
    return _git(cwd, *args).decode("utf-8", errors="replace")
