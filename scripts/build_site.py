"""Build the site atomically and reproducibly.

The site is built into a fresh staging folder next to ``build/site`` and published only when the
strict build succeeded, in one atomic step (``evidencekb.publish``): a failed or killed build leaves
the last good site in place, and two builds at once take turns. MkDocs runs in this process, so
killing the build stops all of it, and an operating-system error (a full disk, a read-only folder)
is one line saying what failed, not a traceback. ``SOURCE_DATE_EPOCH`` defaults to the time of the
last commit, so two builds of one commit give byte-identical output (MkDocs uses it for the sitemap).
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import subprocess
import sys

from mkdocs import config as mkdocs_config
from mkdocs.commands import build as mkdocs_build
from mkdocs.exceptions import MkDocsException

from evidencekb.publish import SiteFolder


def commit_time() -> str | None:
    try:
        out = subprocess.run(["git", "log", "-1", "--format=%ct"], capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return out.stdout.strip() or None


def build(config_file: str, site_dir: str) -> int:
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    if "SOURCE_DATE_EPOCH" not in os.environ and (stamp := commit_time()):
        os.environ["SOURCE_DATE_EPOCH"] = stamp
    folder = SiteFolder(site_dir)
    staging = None
    try:
        with folder.locked():
            staging = folder.new_staging()
            run_mkdocs(config_file, staging)
            folder.publish(staging)
    except (MkDocsException, OSError) as exc:
        if staging and staging != folder.published():
            shutil.rmtree(staging, ignore_errors=True)
        kept = "the previous site is kept" if folder.published() or os.path.isdir(site_dir) else "no site was written"
        print(f"site build failed: {_reason(exc)}; {kept} in {site_dir}", file=sys.stderr)
        return 1
    print(f"site written to {site_dir}", file=sys.stderr)
    return 0


def run_mkdocs(config_file: str, site_dir: str) -> None:
    """``mkdocs build --strict --quiet`` into ``site_dir``, as the MkDocs command runs it."""
    logger = logging.getLogger("mkdocs")
    saved = logger.level, logger.propagate
    handler = logging.StreamHandler()
    logger.setLevel(logging.ERROR)  # --quiet: errors only, each on stderr
    logger.propagate = False
    logger.addHandler(handler)
    try:
        cfg = mkdocs_config.load_config(config_file=config_file, site_dir=site_dir, strict=True)
        cfg.plugins.on_startup(command="build", dirty=False)
        try:
            mkdocs_build.build(cfg)
        finally:
            cfg.plugins.on_shutdown()
    finally:
        logger.removeHandler(handler)
        logger.setLevel(saved[0])
        logger.propagate = saved[1]


def _reason(exc: Exception) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        where = f" ({exc.filename})" if exc.filename else ""
        return f"{exc.strerror}{where}"
    return str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config-file", default="mkdocs.yml")
    parser.add_argument("--site-dir", default=os.path.join("build", "site"))
    args = parser.parse_args()
    return build(args.config_file, args.site_dir)


if __name__ == "__main__":
    sys.exit(main())
