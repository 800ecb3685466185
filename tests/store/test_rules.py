"""The document's merge rules as plain functions."""

from __future__ import annotations

from photo_tagger.store import rules


def test_effective_tags_user_added_and_removed_beat_scores() -> None:
    auto = {
        "Animals/Cat": {"score": 0.9},
        "Food/Coffee": {"score": 0.3},
        "Places/Beach": {"score": 0.7},
    }
    user = {"Animals/Cat": False, "Holidays/Lisbon": True, "Food/Coffee": True}
    thresholds = {"Places/Beach": 0.8}
    tags = rules.effective_tags(auto, user, lambda t: thresholds.get(t, 0.5))
    assert tags == {"Holidays/Lisbon": 1.0, "Food/Coffee": 1.0}


def test_merge_auto_later_source_wins_per_tag() -> None:
    merged = rules.merge_auto(
        {
            "local": {"model": "small@1", "tags": {"Animals/Cat": 0.4, "Food/Coffee": 0.8}},
            "cloud": {"model": "big@2", "tags": {"Animals/Cat": 0.1}},
        }
    )
    assert merged == {
        "Animals/Cat": {"score": 0.1, "source": "cloud", "model": "big@2"},
        "Food/Coffee": {"score": 0.8, "source": "local", "model": "small@1"},
    }


def test_resolve_follows_chains_and_breaks_cycles_the_same_way_everywhere() -> None:
    chain = {"a": "b", "b": "c"}
    assert rules.resolve_person("a", chain.get) == "c"
    assert rules.resolve_person("z", chain.get) == "z"
    cycle = {"p": "q", "q": "r", "r": "q"}
    assert rules.resolve_person("p", cycle.get) == "q"
    assert rules.resolve_person("r", cycle.get) == "q"


def test_match_faces_follows_boxes_not_indices() -> None:
    old = [[0, 0, 10, 10], [100, 100, 120, 120], [500, 500, 510, 510]]
    new = [[101, 99, 121, 119], [1, 0, 11, 10]]  # re-ordered, the third face gone
    assert rules.match_faces(old, new) == {0: 1, 1: 0}
    assert rules.match_faces(old, []) == {}
