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


def _local(**scores: float) -> dict[str, dict[str, object]]:
    return {
        t.replace("_", "/"): {"score": s, "source": "local", "model": "m"}
        for t, s in scores.items()
    }


def test_a_broad_model_tag_is_shown_only_with_a_specific_one_under_it() -> None:
    """ "Scenes" 0.63 is the sum of every scene class; its best specific tag scored 0.06: the
    model could not tell what it saw, and a bare "Scenes" would say it could."""
    always = lambda tag: 0.3  # noqa: E731
    bare = _local(Scenes=0.63, Scenes_Temple=0.06, Scenes_Castle=0.05)
    assert rules.effective_tags(bare, {}, always) == {}
    sure = _local(Animals=0.95, Animals_Cat=0.9, Animals_Dog=0.05)
    assert rules.effective_tags(sure, {}, always) == {"Animals": 0.95, "Animals/Cat": 0.9}
    # over its threshold, but with nothing shown under it: each level goes, deepest first
    chain = _local(Vehicles=0.62, Vehicles_Aircraft=0.62, Vehicles_Aircraft_Balloon=0.62)
    assert rules.effective_tags(chain, {}, lambda t: 0.7 if "Balloon" in t else 0.3) == {}
    # a class mapped to the broad tag itself (nothing scored under it) is its own specific tag
    assert rules.effective_tags(_local(Objects=0.9), {}, always) == {"Objects": 0.9}
    # the user and the photo's own facts are not models: their tags are shown as they are
    facts = {"Places": {"score": 1.0, "source": "photo", "model": "context@1"}}
    facts["Places/Lisbon"] = {"score": 0.4, "source": "photo", "model": "context@1"}
    assert rules.effective_tags(facts, {"Animals": True}, always) == {
        "Places": 1.0,
        "Places/Lisbon": 0.4,
        "Animals": 1.0,
    }


def test_how_sure_the_models_are_is_read_on_their_most_specific_tags() -> None:
    assert rules.model_confidence(_local(Scenes=0.63, Scenes_Temple=0.06)) == 0.06
    assert rules.model_confidence(_local(Animals=0.95, Animals_Cat=0.9)) == 0.9
    faces = _local(People=1.0, People_Portrait=1.0)
    assert rules.model_confidence(faces) == 0.0
    assert rules.model_confidence(faces, with_people=True) == 1.0


def test_two_models_naming_different_animals_are_unsure() -> None:
    # the classifier says dog, the object detector finds a horse: worth a look, and the cloud
    dog_or_horse = _local(Animals=0.95, Animals_Dog=0.9, Animals_Horse=0.72)
    assert rules.model_confidence(dog_or_horse) == 0.18
    assert rules.model_confidence(dog_or_horse, sources=(rules.LOCAL,), with_people=True) == 0.18
    # what the classifier alone says: a second animal far under DISAGREE_SCORE is no disagreement
    assert rules.model_confidence(_local(Animals=0.95, Animals_Dog=0.9, Animals_Cat=0.05)) == 0.9
    # both models saw the same animal, its tag and the branch above it: sure
    assert rules.model_confidence(_local(Animals=0.9, Animals_Cat=0.9)) == 0.9
    # a cat and a car are two things in view, not two readings of one
    assert rules.model_confidence(_local(Animals_Cat=0.8, Vehicles_Car=0.7)) == 0.8
    # a dog and a wolf, each at 0.5 or more: two different animals however close
    assert rules.model_confidence(_local(Animals_Dog=0.6, Animals_Wolf=0.55)) == 0.05
