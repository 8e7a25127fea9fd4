"""The built site as a whole: valid HTML, no broken internal links or anchors, nothing a strict
Content-Security-Policy would block from records, atomic swaps of build/site, byte-identical rebuilds."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import html5lib
import pytest

ROOT = Path(__file__).resolve().parent.parent
BUILD_SITE = [sys.executable, str(ROOT / "scripts" / "build_site.py")]


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.handlers: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("id", "name") and value:
                self.ids.add(value)
            if name in ("href", "src") and value:
                self.links.append(value)
            if name.startswith("on"):
                self.handlers.append(f"<{tag} {name}>")


def _pages(site: Path) -> dict[Path, _Page]:
    parsed = {}
    for path in sorted(site.rglob("*.html")):
        page = _Page()
        page.feed(path.read_text(encoding="utf-8"))
        parsed[path] = page
    return parsed


def _target(site: Path, page: Path, link: str) -> tuple[Path, str] | None:
    parts = urlsplit(link)
    if parts.scheme or parts.netloc or link.startswith(("mailto:", "//")):
        return None
    if not parts.path:
        path = page
    elif parts.path.startswith("/"):  # the 404 page links from the site root
        path = (site / unquote(parts.path).lstrip("/")).resolve()
    else:
        path = (page.parent / unquote(parts.path)).resolve()
    if path.is_dir():
        path = path / "index.html"
    return path, unquote(parts.fragment)


def test_every_internal_link_and_anchor_resolves(built_sites) -> None:  # type: ignore[no-untyped-def]
    site = built_sites.real.resolve()
    pages = _pages(site)
    broken = []
    checked = 0
    for page_path, page in pages.items():
        for link in page.links:
            target = _target(site, page_path, link)
            if target is None:
                continue
            path, fragment = target
            checked += 1
            if not path.exists():
                broken.append(f"{page_path.relative_to(site)}: {link} (no file)")
            elif fragment and path.suffix == ".html" and fragment not in pages[path].ids:
                broken.append(f"{page_path.relative_to(site)}: {link} (no anchor)")
    assert checked > 200
    assert broken == []


def test_generated_pages_are_valid_html(built_sites) -> None:  # type: ignore[no-untyped-def]
    """html5lib's strict parser raises on any parse error of the HTML standard."""
    pages = [built_sites.real / "trials/proderm/index.html", built_sites.real / "trials/dalakas-1993/index.html",
             built_sites.real / "index.html", built_sites.xss / "trials/proderm/index.html"]
    for page in pages:
        html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(page.read_bytes())


def test_no_inline_event_handlers_in_pages(built_sites) -> None:  # type: ignore[no-untyped-def]
    for site in (built_sites.real, built_sites.xss):
        handlers = {str(path.relative_to(site)): page.handlers for path, page in _pages(site).items() if page.handlers}
        assert handlers == {}


def _build(site_dir: Path, config: Path, epoch: str = "1700000000") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SOURCE_DATE_EPOCH": epoch, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run([*BUILD_SITE, "--config-file", str(config), "--site-dir", str(site_dir)],
                          cwd=config.parent, env=env, capture_output=True, text=True, timeout=300)


def _digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """mkdocs.yml and content/ copied, so a test can break a record without touching the repository."""
    shutil.copytree(ROOT / "content", tmp_path / "content")
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    return tmp_path


def test_failed_build_keeps_the_previous_site(project_copy: Path) -> None:
    site = project_copy / "build" / "site"
    first = _build(site, project_copy / "mkdocs.yml")
    assert first.returncode == 0, first.stderr
    before = _digest(site)
    record = project_copy / "content/trials/proderm.yaml"
    record.write_text(record.read_text(encoding="utf-8").replace("events: 37,", "events: 99,"), encoding="utf-8")
    failed = _build(site, project_copy / "mkdocs.yml")
    assert failed.returncode != 0
    assert "impossible-count" in failed.stdout + failed.stderr
    assert "previous site is kept" in failed.stderr
    assert _digest(site) == before
    published = os.path.basename(os.readlink(site))  # no staging folder left behind
    assert sorted(p.name for p in site.parent.iterdir()) == sorted([".site.lock", "site", published])


def test_two_builds_of_the_same_sources_are_byte_identical(project_copy: Path) -> None:
    """Of one commit, with its history: the pages' history sections and the feeds come from the commits."""
    _commit(project_copy, "ProDERM and the other records")
    record = project_copy / "content/trials/proderm.yaml"
    record.write_text(record.read_text(encoding="utf-8").replace("events: 37,", "events: 36,"), encoding="utf-8")
    _commit(project_copy, "A count corrected")
    one, two = project_copy / "one", project_copy / "two"
    assert _build(one, project_copy / "mkdocs.yml").returncode == 0
    assert _build(two, project_copy / "mkdocs.yml").returncode == 0
    first, second = _digest(one), _digest(two)
    assert len(first) > 20
    assert first == second
    assert "A count corrected" in (one / "feed.xml").read_text(encoding="utf-8")
    assert "IVIG first \u203a events" in (one / "trials/proderm/index.html").read_text(encoding="utf-8")


def _commit(repo: Path, subject: str) -> None:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": "Test",
           "GIT_AUTHOR_EMAIL": "test@example.org", "GIT_COMMITTER_NAME": "Test",
           "GIT_COMMITTER_EMAIL": "test@example.org"}
    for args in (["init", "-q"], ["add", "content", "mkdocs.yml"], ["commit", "-q", "-m", subject]):
        subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)
