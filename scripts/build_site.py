"""Build the site atomically and reproducibly.

The site is built into a fresh temporary folder next to ``build/site`` and swapped in only when the
strict build succeeded, so a failed build (an invalid record, a broken link) leaves the last good site
in place. ``SOURCE_DATE_EPOCH`` defaults to the time of the last commit, so two builds of one commit
give byte-identical output (MkDocs uses it for the sitemap dates).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile


def commit_time() -> str | None:
    try:
        out = subprocess.run(["git", "log", "-1", "--format=%ct"], capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return out.stdout.strip() or None


def build(config: str, site_dir: str) -> int:
    parent = os.path.dirname(os.path.abspath(site_dir))
    os.makedirs(parent, exist_ok=True)
    env = dict(os.environ)
    env.setdefault("NO_MKDOCS_2_WARNING", "1")
    if "SOURCE_DATE_EPOCH" not in env and (stamp := commit_time()):
        env["SOURCE_DATE_EPOCH"] = stamp
    staging = tempfile.mkdtemp(prefix=".site-", dir=parent)
    mkdocs = [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--config-file", config]
    result = subprocess.run([*mkdocs, "--site-dir", staging], env=env)
    if result.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        kept = "the previous site is kept" if os.path.isdir(site_dir) else "no site was written"
        print(f"site build failed; {kept} in {site_dir}", file=sys.stderr)
        return result.returncode
    old = None
    if os.path.exists(site_dir):
        old = tempfile.mkdtemp(prefix=".site-old-", dir=parent)
        os.rmdir(old)
        os.rename(site_dir, old)
    os.rename(staging, site_dir)
    if old:
        shutil.rmtree(old, ignore_errors=True)
    print(f"site written to {site_dir}", file=sys.stderr)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config-file", default="mkdocs.yml")
    parser.add_argument("--site-dir", default=os.path.join("build", "site"))
    args = parser.parse_args()
    return build(args.config_file, args.site_dir)


if __name__ == "__main__":
    sys.exit(main())
