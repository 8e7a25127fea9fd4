"""Values a rebuild takes over from the last build: reused for an equal key, made again otherwise."""

from __future__ import annotations

from evidencekb.reused import Reused


def test_a_value_is_made_once_per_key_and_reused_by_the_next_build() -> None:
    links = Reused[str]()
    assert links.get(("a", 1), lambda: "a1") == "a1" and links.get(("a", 1), lambda: "other") == "a1"
    links.next_build()
    assert links.get(("a", 1), lambda: "other") == "a1"
    assert links.made == 1


def test_a_changed_key_is_made_again_and_a_key_not_asked_for_is_forgotten() -> None:
    links = Reused[str]()
    links.get("a", lambda: "old a")
    links.get("b", lambda: "old b")
    links.next_build()
    assert links.get("a", lambda: "new a") == "old a"
    links.next_build()  # a build without "b"
    assert links.get("b", lambda: "new b") == "new b"
    assert links.made == 3
