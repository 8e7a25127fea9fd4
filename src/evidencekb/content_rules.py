"""What may live in the content folder: regular files and folders only, and only records in a records folder.

The site publishes what the content folder holds, so anything there that is not what it looks like is
refused before it can be read or copied: a symlink (``notes.txt`` -> ``/etc/passwd`` or
``.git/config`` would publish the target), a FIFO or device (reading it hangs or never ends), and, in a
folder of records, any other file (``evil.html`` would be published as written). Each refusal is an
error at the entry's path. Entries are examined with ``lstat``, so a symlink is never followed.
Hidden regular files (``.proderm.yaml.swp``) are left alone: MkDocs never publishes a dot-file.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from typing import BinaryIO

from evidencekb.diagnostics import Diagnostic, Severity

RECORD_SUFFIXES = (".yaml", ".yml")


class RefusedEntry(Exception):
    """A path that is not a regular file or folder; ``code`` and ``message`` as in its diagnostic."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def is_record_name(name: str) -> bool:
    return name.endswith(RECORD_SUFFIXES)


def entry_problem(path: str, *, records_only: bool) -> Diagnostic | None:
    """Why ``path`` may not be in the content folder, or None; ``records_only``: it is in a records folder."""
    try:
        mode = os.lstat(path).st_mode
    except OSError as exc:
        return _refused(path, "file-unreadable", f"cannot read: {exc.strerror or exc}")
    try:
        _check_mode(mode)
    except RefusedEntry as refused:
        return _refused(path, refused.code, refused.message)
    if stat.S_ISREG(mode) and records_only and not is_record_name(path) and not _hidden(path):
        return _refused(path, "not-a-record", "only records (.yaml, .yml) may be in a folder of records;"
                                              " move or delete this file")
    return None


def refused_entries(top: str, records_folder: str) -> list[Diagnostic]:
    """Every entry under ``top`` that may not be published; under ``records_folder`` only records may be."""
    return [problem for _, problems in walk_records(top, records_folder) for problem in problems]


def walk_records(top: str, records_folder: str | None = None) -> Iterator[tuple[list[str], list[Diagnostic]]]:
    """Per folder under ``top``: its record files and its refused entries.

    The folders of records are ``records_folder`` and the folders under it, or, when none is named,
    every folder that holds a record: their other files are refused too.
    """
    for folder, dirs, files in _walk(top):
        if records_folder is None:
            records_only = any(is_record_name(n) for n in files)
        else:
            records_only = _inside(folder, records_folder)
        problems = [p for name in dirs + files
                    if (p := entry_problem(_join(folder, name), records_only=records_only))]
        refused = {p.path for p in problems}
        paths = (_join(folder, name) for name in files if is_record_name(name))
        yield [path for path in paths if path not in refused], problems


def _walk(top: str) -> Iterator[tuple[str, list[str], list[str]]]:
    """Each folder under ``top`` (never through a symlink) with its sorted sub-folders and other entries."""
    for folder, dirs, files in os.walk(top):
        dirs.sort()
        yield folder, dirs, sorted(files)


def _inside(folder: str, parent: str) -> bool:
    """``folder`` is ``parent`` or a folder under it."""
    parent = os.path.abspath(parent)
    return os.path.commonpath([os.path.abspath(folder), parent]) == parent


def _hidden(path: str) -> bool:
    """A dot-file (an editor's swap file, say): MkDocs never publishes one, so it may stay."""
    return os.path.basename(path).startswith(".")


def _join(folder: str, name: str) -> str:
    return os.path.normpath(os.path.join(folder, name))


def open_regular(path: str) -> BinaryIO:
    """Open a regular file for reading without following a symlink and without blocking on a FIFO.

    The type is checked on the opened file itself, so the path cannot be swapped between check and read.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise RefusedEntry("symlink", _SYMLINK) from None
        raise
    try:
        _check_mode(os.fstat(fd).st_mode, folder_allowed=False)
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")


_SYMLINK = "symbolic links are not allowed in the content folder; put the file itself here"


def _check_mode(mode: int, *, folder_allowed: bool = True) -> None:
    if stat.S_ISLNK(mode):
        raise RefusedEntry("symlink", _SYMLINK)
    if stat.S_ISDIR(mode) and not folder_allowed:
        raise RefusedEntry("file-unreadable", "this is a folder, not a file")
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        raise RefusedEntry("not-regular-file", f"not a regular file (a {_kind(mode)}); only files and folders"
                                               " may be in the content folder")


def _kind(mode: int) -> str:
    kinds = ((stat.S_ISFIFO, "FIFO"), (stat.S_ISSOCK, "socket"), (stat.S_ISCHR, "character device"),
             (stat.S_ISBLK, "block device"))
    return next((name for test, name in kinds if test(mode)), "special file")


def _refused(path: str, code: str, message: str) -> Diagnostic:
    return Diagnostic(path, 1, 1, Severity.ERROR, code, message)
