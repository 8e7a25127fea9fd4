"""The serve benchmark's reader of Pagefind's files, checked against an index Pagefind itself writes."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

from conftest import ROOT
from evidencekb.search_index import INDEX_FOLDER, write_index

sys.path.insert(0, str(ROOT / "scripts"))
pagefind_files = importlib.import_module("pagefind_files")
bench = importlib.import_module("bench")

PAGE = '<html lang="en"><body><main data-pagefind-body><h1>{}</h1><p>{}</p></main></body></html>'


def _site(folder: Path, pages: dict[str, str]) -> object:
    for name, text in pages.items():
        (folder / name).mkdir(parents=True)
        (folder / name / "index.html").write_text(PAGE.format(name, text), encoding="utf-8")
    write_index(folder)
    return pagefind_files.PagefindIndex.in_folder(folder / INDEX_FOLDER)


def test_the_reader_finds_each_page_its_text_and_the_pages_of_a_word(tmp_path: Path) -> None:
    words = {f"page{i}": f"common words and zqedit{i}n1" for i in range(30)}
    words["other"] = "nothing of the kind"
    index = _site(tmp_path, words)
    pages = index.pages()  # type: ignore[attr-defined]
    assert set(pages) == {f"/{name}/" for name in words}
    assert "zqedit7n1" in pages["/page7/"]
    assert index.urls_with("zqedit7n1") == {"/page7/"}  # type: ignore[attr-defined]
    assert index.urls_with("common") == {f"/page{i}/" for i in range(30)}  # type: ignore[attr-defined]
    assert index.urls_with("absentword") == set()  # type: ignore[attr-defined]


def test_the_served_index_must_hold_the_full_builds_pages_and_the_edit_alone() -> None:
    full = {"/a/", "/b/"}
    edited = {"/a/": "text Edited 2.", "/b/": "b"}
    assert bench.index_difference(full, edited, "/a/", "Edited 2.", "Edited 1.") == ""
    assert bench.index_difference(full, {"/a/": "text Edited 1. Edited 2.", "/b/": "b"}, "/a/", "Edited 2.",
                                  "Edited 1.") == "the edited page's old text is still indexed"
    assert bench.index_difference(full, {"/a/": "text", "/b/": "b"}, "/a/", "Edited 2.", None) == \
        "the edit is not indexed"
    missing = bench.index_difference(full, {"/a/": "Edited 2."}, "/a/", "Edited 2.", None)
    assert missing == "1 pages missing, 0 pages extra"
