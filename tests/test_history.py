"""Living evidence: the records' history read from git, the feeds and the "What's new" page made from it.

A repository with a few commits (a count corrected, a source added, a review date moved, a comment added)
must give one history entry per commit that changed something for readers, with before and after, the
formatting-only commit collapsed; the Atom feed must parse as valid Atom (feedparser) with stable ids.
"""

from __future__ import annotations

import datetime
import logging
import math
import os
import shutil
import subprocess
from pathlib import Path

import feedparser
import pytest
from mkdocs.utils import get_relative_url

from evidencekb import history as history_module
from evidencekb.atom import entry_id
from evidencekb.changes import Change, readable
from evidencekb.cli import main
from evidencekb.freshness import add_months
from evidencekb.history import History, read_history
from evidencekb.living import HistoryCache, PublishedPage, feed_files, pages_with_history
from evidencekb.pipeline import CheckedRecord, check_record

ROOT = Path(__file__).resolve().parent.parent
PRIMARY = "- {arm: ivig-first, events: 37, total: 47, percent: 79}"
SUBJECT = "Correct the <script>alert(1)</script> count \x1b[31m & more"
NEW_SOURCE = """  - id: nejm-abs-b
    kind: secondary-report
"""
ADDED_SOURCE = """  - id: test-letter
    kind: secondary-report
    citation: A letter to the editor.
    url: https://example.org/letter
""" + NEW_SOURCE


def git(repo: Path, *args: str, date: str = "2026-01-01T12:00:00Z") -> str:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
           "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.org", "GIT_COMMITTER_NAME": "Test",
           "GIT_COMMITTER_EMAIL": "test@example.org", "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    return subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True).stdout


def commit(repo: Path, subject: str, date: str, old: str | None = None, new: str | None = None) -> None:
    record = repo / "content" / "trials" / "proderm.yaml"
    if old is not None and new is not None:
        text = record.read_text(encoding="utf-8")
        assert text.count(old) == 1
        record.write_text(text.replace(old, new), encoding="utf-8")
    git(repo, "add", ".", date=date)
    git(repo, "commit", "-q", "-m", subject, date=date)


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = tmp_path_factory.mktemp("history")
    (repo / "content" / "trials").mkdir(parents=True)
    shutil.copy(ROOT / "content" / "trials" / "proderm.yaml", repo / "content" / "trials")
    git(repo, "init", "-q")
    commit(repo, "ProDERM record", "2026-01-05T10:00:00Z")
    commit(repo, SUBJECT, "2026-02-10T10:00:00Z", PRIMARY, PRIMARY.replace("37", "35"))
    commit(repo, "Cite the letter", "2026-03-15T10:00:00Z", NEW_SOURCE, ADDED_SOURCE)
    commit(repo, "Reviewed again", "2026-04-20T10:00:00+02:00", "last_reviewed: 2026-11-24",
           "last_reviewed: 2026-11-30")
    commit(repo, "A comment", "2026-05-01T10:00:00Z", "primary_source: nejm-2022", "primary_source: nejm-2022  # ok")
    return repo


def shallow_clone(repo: Path, target: Path) -> None:
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo}", str(target)], check=True,
                   capture_output=True)


@pytest.fixture(scope="module")
def history(repo: Path) -> History:
    return read_history(str(repo / "content"))


def test_each_commit_gives_a_dated_entry_with_before_and_after(history: History) -> None:
    assert history.missing is None
    subjects = [(e.commit.date, e.commit.subject) for e in history.of("trials/proderm")]
    assert subjects == [("2026-05-01T10:00:00Z", "A comment"), ("2026-04-20T08:00:00Z", "Reviewed again"),
                        ("2026-03-15T10:00:00Z", "Cite the letter"), ("2026-02-10T10:00:00Z", SUBJECT),
                        ("2026-01-05T10:00:00Z", "ProDERM record")]
    comment, review, source, count, added = history.of("trials/proderm")
    assert not comment.matters and comment.cosmetic == 1  # only a comment: collapsed
    assert review.changes == (Change("review", "Last reviewed", "2026-11-24", "2026-11-30"),)
    assert source.changes[0] == Change("source", "Source added: test-letter", None, "A letter to the editor.")
    assert Change("number", "TIS >= 20, week 16 \u203a IVIG first \u203a events", "37", "35") in count.changes
    effects = {c.what: (c.before, c.after) for c in count.changes if c.kind == "effect"}
    # RD of 37/47 vs 21/48, then 35/47 vs 21/48, as evidencekb diff prints it (its reference test: test_diff.py)
    assert effects["TIS >= 20, week 16: RD"][0].startswith("0.350 ")
    assert effects["TIS >= 20, week 16: RD"][1].startswith("0.307 ")
    assert count.changes[0].kind == "number"  # what moves a result is listed first
    assert added.changes == (Change("record", "Record added"),)


def test_a_shallow_clone_or_no_repository_gives_no_history(repo: Path, tmp_path: Path) -> None:
    shallow_clone(repo, tmp_path / "shallow")
    shallow = read_history(str(tmp_path / "shallow" / "content"))
    assert shallow.entries == [] and "shallow clone" in (shallow.missing or "")
    (tmp_path / "plain").mkdir()
    assert "not in a git repository" in (read_history(str(tmp_path / "plain")).missing or "")


def test_the_build_says_once_that_the_history_is_missing(repo: Path, tmp_path: Path,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    shallow_clone(repo, tmp_path / "shallow")
    cache = HistoryCache()
    with caplog.at_level(logging.INFO, logger="mkdocs.plugins.evidencekb"):
        first, again = (cache.history(str(tmp_path / "shallow" / "content")) for _ in range(2))
    assert first is again  # read once per commit: a rebuild under mkdocs serve reuses it
    assert [r.getMessage() for r in caplog.records] == [f"evidencekb: no change history on the pages: {first.missing}"]


def _pages(last_reviewed: str = "2026-11-30") -> list[PublishedPage]:
    return [PublishedPage("trials/proderm.md", "trials/proderm/", "---\n---\n<h1>x</h1>\n\n## Bottom line\n\ntext\n",
                          "ProDERM <b>", last_reviewed)]


def test_the_feed_is_valid_atom_with_stable_ids_and_commit_dates(history: History, repo: Path) -> None:
    files = feed_files(_pages(), history, None, get_relative_url, "whats-new/")
    assert sorted(files) == ["feed.xml", "trials/feed.xml", "whats-new.md"]
    feed = feedparser.parse(files["feed.xml"].encode())
    assert feed.bozo == 0, feed.bozo_exception
    assert feed.version == "atom10"
    assert [e.updated for e in feed.entries] == ["2026-04-20T08:00:00Z", "2026-03-15T10:00:00Z",
                                                 "2026-02-10T10:00:00Z", "2026-01-05T10:00:00Z"]
    assert feed.feed.updated == "2026-04-20T08:00:00Z"  # the newest change, not the build time
    assert [e.id for e in feed.entries] == [entry_id(e) for e in history.entries if e.matters]
    assert len({e.id for e in feed.entries}) == 4
    assert feed.entries[2].title == "ProDERM <b>: Correct the <script>alert(1)</script> count \ufffd[31m & more"
    assert "&lt;script&gt;" in files["feed.xml"] and "\x1b" not in files["feed.xml"]
    assert feed.entries[2].link == "trials/proderm/"
    assert "TIS >= 20, week 16 \u203a IVIG first \u203a events: 37 \u2192 35" in feed.entries[2].summary
    again = feed_files(_pages(), read_history(str(repo / "content")), None, get_relative_url, "whats-new/")
    assert again == files  # same commits, same bytes
    absolute = feedparser.parse(feed_files(_pages(), history, "https://kb.example.org/", get_relative_url,
                                           "whats-new/")["trials/feed.xml"].encode())
    assert absolute.entries[0].link == "https://kb.example.org/trials/proderm/"
    own = feed_files(_pages(), history, None, get_relative_url, "whats-new/", record_feeds=("trials",))
    record_feed = feedparser.parse(own["trials/proderm/feed.xml"].encode())  # as each question will have
    assert record_feed.bozo == 0 and len(record_feed.entries) == 4
    assert record_feed.entries[0].link == "./"  # the record's page (trials/proderm/), relative to its feed


def test_pages_show_history_escaped_and_flag_an_overdue_review(history: History) -> None:
    fresh = pages_with_history(_pages(), history, datetime.date(2027, 1, 1), 24)["trials/proderm.md"]
    assert "Review overdue" not in fresh
    assert "next review due 2028-11-30" in fresh
    assert "Correct the &lt;script&gt;alert(1)&lt;/script&gt; count" in fresh and "<script>" not in fresh
    assert "1 further commit changed only wording or formatting" in fresh
    stale = pages_with_history(_pages(), history, datetime.date(2028, 12, 1), 24)["trials/proderm.md"]
    notice = stale.index("Review overdue")
    assert stale.index("<h1>x</h1>") < notice < stale.index("## Bottom line")  # at the top of the page
    assert "review overdue</strong>: the next review was due 2028-11-30" in stale
    whats_new = feed_files(_pages(), history, None, get_relative_url, "whats-new/")["whats-new.md"]
    assert '<a href="../trials/proderm/">ProDERM &lt;b&gt;</a>' in whats_new


def test_check_warns_of_an_overdue_review_at_the_review_date(monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    record = ROOT / "content" / "trials" / "proderm.yaml"
    line = next(i for i, text in enumerate(record.read_text(encoding="utf-8").splitlines(), 1)
                if "last_reviewed:" in text)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1861920000")  # 2029-01-01: more than 24 months after 2026-11-24
    assert main(["check", "--report", "none", str(record)]) == 0
    out = capsys.readouterr().out
    code = "review-overdue"
    assert f"{record}:{line}:18: warning[{code}]: last reviewed 2026-11-24, more than 24 months before" \
           " 2029-01-01 (review due 2028-11-24)" in out
    assert main(["check", "--report", "none", "--review-period", "36", str(record)]) == 0
    assert code not in capsys.readouterr().out
    assert main(["check", "--report", "none", "--strict", str(record)]) == 1
    with pytest.raises(SystemExit):
        main(["check", "--review-period", "0", str(record)])


def test_months_are_added_to_the_calendar() -> None:
    assert add_months(datetime.date(2024, 8, 31), 6) == datetime.date(2025, 2, 28)
    assert add_months(datetime.date(2026, 11, 24), 24) == datetime.date(2028, 11, 24)
    assert add_months(datetime.date(2027, 12, 15), 1) == datetime.date(2028, 1, 15)


def test_changed_values_are_named_as_readers_know_them() -> None:
    data = {"arms": [{"id": "a", "label": "Drug"}], "endpoints": [{"id": "e", "label": "Death"}],
            "results": [{"endpoint": "e", "binary": [{"arm": "a", "events": 1}]}],
            "design": {"dosing": [{"dose": 1}, {"dose": 2}]}}
    assert readable("results[0].binary[a].events", (data,)) == "Death \u203a Drug \u203a events"
    assert readable("design.dosing[1].dose", (data,)) == "design \u203a dosing 2 \u203a dose"
    assert readable("gone[3].dose", ({}, data)) == "gone[3].dose"  # named by neither version: the path


QUESTION = "content/questions/ivig-dermatomyositis.yaml"
MIYASAKA_NOT_POOLED = """      - trial: miyasaka-2012
        reason: no-per-arm-data
        explanation: >-
          The TIS was not an endpoint (the primary endpoint was the manual muscle test score at week 8),
          and the per-group results were not read for the trial record.
  - id: muscle-strength"""
IMPRECISION = """          change: -1
          reason: >-
            One trial of 95 patients with 58 responders"""


def edit(repo: Path, path: str, old: str, new: str) -> None:
    file = repo / path
    text = file.read_text(encoding="utf-8")
    assert text.count(old) == 1
    file.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture(scope="module")
def question_history(tmp_path_factory: pytest.TempPathFactory) -> History:
    repo = tmp_path_factory.mktemp("question-history")
    (repo / "content" / "questions").mkdir(parents=True)
    shutil.copy(ROOT / QUESTION, repo / "content" / "questions")
    git(repo, "init", "-q")
    commit(repo, "IVIG question", "2026-01-05T10:00:00Z")
    edit(repo, QUESTION, IMPRECISION, IMPRECISION.replace("-1", "-2"))
    commit(repo, "Imprecision very serious", "2026-02-10T10:00:00Z")
    edit(repo, QUESTION, MIYASAKA_NOT_POOLED, "  - id: muscle-strength")
    edit(repo, QUESTION, "        endpoint: tis20-w16\n", "        endpoint: tis20-w16\n"
         "      - trial: miyasaka-2012\n        endpoint: mmt-w8\n")
    edit(repo, QUESTION, "IVIG may increase", "IVIG probably increases")
    commit(repo, "Pool Miyasaka", "2026-03-15T10:00:00Z")
    return read_history(str(repo / "content"))


def test_a_question_history_names_certainty_pooled_trials_and_conclusion(question_history: History) -> None:
    pooled, certainty, added = question_history.of("questions/ivig-dermatomyositis")
    assert added.changes == (Change("record", "Record added"),)
    outcome = "At least minimal improvement (TIS >= 20) at 16 weeks"
    assert Change("effect", f"{outcome}: certainty of the evidence", "low", "very low") in certainty.changes
    imprecision = next(c for c in certainty.changes if c.what == f"{outcome}: imprecision")
    assert imprecision.before.startswith("-1: One trial") and imprecision.after.startswith("-2: One trial")
    assert Change("record", f"{outcome}: trial pooled", None, "miyasaka-2012 (mmt-w8)") in pooled.changes
    not_pooled = next(c for c in pooled.changes if c.what == f"{outcome}: not pooled: miyasaka-2012")
    assert not_pooled.before.startswith("no-per-arm-data: The TIS") and not_pooled.after is None
    conclusion = next(c for c in pooled.changes if c.what == "Conclusion")
    assert "may increase" in conclusion.before and "probably increases" in conclusion.after


def test_a_question_has_its_own_valid_feed_linked_from_its_page(question_history: History) -> None:
    page = PublishedPage("questions/ivig-dermatomyositis.md", "questions/ivig-dermatomyositis/",
                         "---\n---\n<h1>x</h1>\n\n## Outcomes\n\ntext\n", "IVIG question", "2026-11-30")
    files = feed_files([page], question_history, None, get_relative_url, "whats-new/")
    assert sorted(files) == ["feed.xml", "questions/feed.xml", "questions/ivig-dermatomyositis/feed.xml",
                             "whats-new.md"]
    feed = feedparser.parse(files["questions/ivig-dermatomyositis/feed.xml"].encode())
    assert feed.bozo == 0, feed.bozo_exception
    assert [e.title for e in feed.entries] == ["IVIG question: Pool Miyasaka",
                                               "IVIG question: Imprecision very serious",
                                               "IVIG question: IVIG question"]
    assert feed.entries[0].link == "./"
    assert "trial pooled: (none) \u2192 miyasaka-2012 (mmt-w8)" in feed.entries[0].summary
    assert "certainty of the evidence: low \u2192 very low" in feed.entries[1].summary
    assert "questions/ivig-dermatomyositis/" in files["whats-new.md"]
    marked = pages_with_history([page], question_history, datetime.date(2026, 12, 1), 12,
                                {page.src_uri: "feed.xml"})[page.src_uri]
    assert '<a href="feed.xml" type="application/atom+xml">' in marked.split("## Review and history")[1]
    assert "Pool Miyasaka" in marked


RATERS = """      raters:
        - evidencekb editorial team
    not_pooled:
      - trial: dalakas-1993
        endpoint: major-improvement
"""
TIS = "At least minimal improvement (TIS >= 20) at 16 weeks"


@pytest.fixture(scope="module")
def pooled_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The question with the trials it reads: a count corrected in ProDERM, a second rater, the count reverted."""
    repo = tmp_path_factory.mktemp("pooled-history")
    shutil.copytree(ROOT / "content" / "trials", repo / "content" / "trials")
    (repo / "content" / "questions").mkdir()
    shutil.copy(ROOT / QUESTION, repo / "content" / "questions")
    git(repo, "init", "-q")
    commit(repo, "Question and trials", "2026-01-05T10:00:00Z")
    commit(repo, "Correct a count", "2026-02-10T10:00:00Z", PRIMARY, PRIMARY.replace("37", "35"))
    edit(repo, QUESTION, RATERS, RATERS.replace("team\n", "team\n        - A. Reviewer\n"))
    commit(repo, "Second rater", "2026-03-10T10:00:00Z")
    commit(repo, "Revert the count", "2026-04-10T10:00:00Z", PRIMARY.replace("37", "35"), PRIMARY)
    return repo


def katz_rr(a: int, n1: int, c: int, n2: int) -> str:
    """A risk ratio with its 95% interval by the log method (Katz et al., Biometrics 1978; Cochrane Handbook
    section 10.3 / RevMan's formula for one study), written out here rather than taken from the pooling code."""
    rr = (a / n1) / (c / n2)
    se = math.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n2)
    z = 1.959963984540054
    return f"RR {rr:.3f} [{rr * math.exp(-z * se):.3f}, {rr * math.exp(z * se):.3f}] (1 trial)"


def test_a_count_change_in_a_pooled_trial_moves_the_question_pooled_result(pooled_repo: Path) -> None:
    history = read_history(str(pooled_repo / "content"))
    revert, rater, count, added = history.of("questions/ivig-dermatomyositis")
    assert [e.commit.subject for e in (revert, rater, count, added)] == [
        "Revert the count", "Second rater", "Correct a count", "Question and trials"]
    moved = f"{TIS}: pooled result, moved by a change to proderm"
    # ProDERM's TIS >= 20 at week 16: 37/47 IVIG first vs 21/48 placebo first (NEJM 2022, fact sheet), then 35/47
    assert katz_rr(37, 47, 21, 48) == "RR 1.799 [1.264, 2.562] (1 trial)"
    assert count.changes == (Change("effect", moved, katz_rr(37, 47, 21, 48), katz_rr(35, 47, 21, 48)),)
    assert revert.changes == (Change("effect", moved, katz_rr(35, 47, 21, 48), katz_rr(37, 47, 21, 48)),)
    assert added.changes == (Change("record", "Record added"),)  # nothing to compare the first results with
    assert [e.commit.subject for e in history.of("trials/proderm")] == [
        "Revert the count", "Correct a count", "Question and trials"]


def test_a_new_rater_is_a_change_readers_see(pooled_repo: Path) -> None:
    rater = read_history(str(pooled_repo / "content")).of("questions/ivig-dermatomyositis")[1]
    assert rater.changes == (Change("review", f"{TIS}: certainty rated by", "evidencekb editorial team",
                                    "evidencekb editorial team, A. Reviewer"),)


def test_each_version_is_checked_once(pooled_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    checked: list[str] = []

    def counted(path: str, raw: bytes | None = None) -> CheckedRecord:
        checked.append(path)
        return check_record(path, raw)

    monkeypatch.setattr(history_module, "check_record", counted)
    read_history(str(pooled_repo / "content"))
    # four records, then ProDERM's corrected count and the question's second rater; the revert brings back
    # ProDERM's first version, the same blob, which is not checked again
    assert len(checked) == len(set(checked)) == 6


def test_the_question_feed_has_the_pooled_move_with_stable_ids(pooled_repo: Path) -> None:
    page = PublishedPage("questions/ivig-dermatomyositis.md", "questions/ivig-dermatomyositis/",
                         "---\n---\n<h1>x</h1>\n\n## Outcomes\n\ntext\n", "IVIG question", "2026-11-30")
    builds = [feed_files([page], read_history(str(pooled_repo / "content")), None, get_relative_url,
                         "whats-new/")["questions/ivig-dermatomyositis/feed.xml"] for _ in range(2)]
    assert builds[0] == builds[1]  # two builds of one commit: the same bytes, so the same entry ids
    feed = feedparser.parse(builds[0].encode())
    assert feed.bozo == 0, feed.bozo_exception
    assert [e.title for e in feed.entries] == ["IVIG question: Revert the count", "IVIG question: Second rater",
                                               "IVIG question: Correct a count", "IVIG question: Question and trials"]
    assert feed.entries[2].summary == (f"{TIS}: pooled result, moved by a change to proderm: "
                                       f"{katz_rr(37, 47, 21, 48)} \u2192 {katz_rr(35, 47, 21, 48)}")
    assert len({e.id for e in feed.entries}) == 4


def test_a_file_edited_on_two_merged_branches_is_compared_with_its_own_parent(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = tmp_path / "branches"
    (repo / "content" / "trials").mkdir(parents=True)
    shutil.copy(ROOT / "content" / "trials" / "proderm.yaml", repo / "content" / "trials")
    git(repo, "init", "-q", "-b", "main")
    commit(repo, "ProDERM record", "2026-01-05T10:00:00Z")
    git(repo, "checkout", "-q", "-b", "count")
    commit(repo, "Correct a count", "2026-02-10T10:00:00Z", PRIMARY, PRIMARY.replace("37", "35"))
    git(repo, "checkout", "-q", "main")
    commit(repo, "Reviewed again", "2026-03-10T10:00:00Z", "last_reviewed: 2026-11-24", "last_reviewed: 2026-11-30")
    git(repo, "merge", "-q", "--no-edit", "count", date="2026-03-11T10:00:00Z")
    checked: list[str] = []

    def counted(path: str, raw: bytes | None = None) -> CheckedRecord:
        checked.append(path)
        return check_record(path, raw)

    monkeypatch.setattr(history_module, "check_record", counted)
    review, count, added = read_history(str(repo / "content")).of("trials/proderm")
    # the review was made on the first version, not on the corrected count that the other branch made
    assert review.changes == (Change("review", "Last reviewed", "2026-11-24", "2026-11-30"),)
    assert len(checked) == len(set(checked)) == 3  # the first version, read again as the review's parent
