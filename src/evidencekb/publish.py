"""Publish a built site in one atomic step, one build at a time, leaving nothing behind.

``build/site`` is a symbolic link to the folder of the last complete build (``build/.site-XXXX``).
A build writes a new folder next to it, and publishing replaces the link with ``os.replace``, a single
rename: a reader, or a build killed at any moment, finds either the previous complete site or the
new one, never none and never a mix. While a build runs it holds a lock on ``build/.site.lock``, so
two builds at once take turns instead of renaming each other's folders; and since no other build is
running while the lock is held, every folder of that prefix other than the published one is left
over from a build that died, and is removed.

A ``build/site`` that is a real folder (from before this layout) is moved aside once, when the first
new site is published: only that first publication is not a single step.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator


class SiteFolder:
    """The published site ``site_dir`` and its staging folders, link and lock file next to it."""

    def __init__(self, site_dir: str) -> None:
        self.site_dir = os.path.abspath(site_dir)
        self.parent = os.path.dirname(self.site_dir)
        name = os.path.basename(self.site_dir)
        self.prefix = f".{name}-"
        self.lock_path = os.path.join(self.parent, f".{name}.lock")

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the build lock (waiting for a running build to finish); removes stale folders first."""
        os.makedirs(self.parent, exist_ok=True)
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                print(f"waiting for another build of {self.site_dir} to finish", file=sys.stderr)
                fcntl.flock(fd, fcntl.LOCK_EX)
            self.remove_stale()
            yield
        finally:
            os.close(fd)  # releases the lock

    def published(self) -> str | None:
        """The folder the site link points to, or None when there is no published site in this layout."""
        if not os.path.islink(self.site_dir):
            return None
        return os.path.join(self.parent, os.readlink(self.site_dir))

    def remove_stale(self) -> list[str]:
        """Remove what dead builds left (staging folders, links); only call it holding the lock."""
        current = self.published()
        removed = []
        for name in sorted(os.listdir(self.parent)):
            path = os.path.join(self.parent, name)
            if name.startswith(self.prefix) and path != current:
                _remove(path)
                removed.append(path)
        return removed

    def new_staging(self) -> str:
        """An empty folder to build the next site into."""
        return tempfile.mkdtemp(prefix=self.prefix, dir=self.parent)

    def publish(self, staging: str) -> None:
        """Make ``staging`` the published site in one rename, then remove the site it replaced."""
        previous = self.published()
        link = os.path.join(self.parent, f"{self.prefix}link-{os.getpid()}")
        with contextlib.suppress(FileNotFoundError):
            os.unlink(link)
        os.symlink(os.path.basename(staging), link)
        if os.path.isdir(self.site_dir) and not os.path.islink(self.site_dir):
            previous = tempfile.mkdtemp(prefix=f"{self.prefix}old-", dir=self.parent)
            os.replace(self.site_dir, previous)  # the former layout: a real folder cannot be swapped for a link
        os.replace(link, self.site_dir)
        _sync_folder(self.parent)
        if previous and previous != staging:
            _remove(previous)


def _remove(path: str) -> None:
    if os.path.islink(path) or not os.path.isdir(path):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
    else:
        shutil.rmtree(path, ignore_errors=True)


def _sync_folder(path: str) -> None:
    """Write the folder's entries to disk, so the new link survives a power cut as well as a kill."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
