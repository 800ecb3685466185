"""The shipped tag vocabulary: ImageNet probabilities in, the tags a person searches by out.

Probability vectors are built by class name from models/imagenet_labels.txt (the model's output
order), never by index, so the tests read like the photos they stand for.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from photo_tagger.errors import ModelError
from photo_tagger.vision.vocabulary import Vocabulary, ancestors

MODELS_DIR = Path(__file__).resolve().parents[2] / "models"
VOCAB_FILE = MODELS_DIR / "tagger_vocabulary.json"
LABELS = (MODELS_DIR / "imagenet_labels.txt").read_text(encoding="utf-8").splitlines()
INDEX = {name: i for i, name in enumerate(LABELS)}

Probs = Callable[..., np.ndarray]


@pytest.fixture(scope="module")
def vocab() -> Vocabulary:
    return Vocabulary.from_file(VOCAB_FILE)


@pytest.fixture(scope="module")
def raw() -> dict:
    return json.loads(VOCAB_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def probs() -> Probs:
    """`probs({"tabby": 0.3, ...})`: those classes, zero elsewhere."""

    def make(by_name: dict[str, float]) -> np.ndarray:
        p = np.zeros(len(LABELS), dtype=np.float32)
        for name, value in by_name.items():
            p[INDEX[name]] = value
        return p

    return make


def class_range(first: str, last: str) -> range:
    """ImageNet's classes are in WordNet id order, so related species sit side by side."""
    return range(INDEX[first], INDEX[last] + 1)


# --- what a user sees ----------------------------------------------------------------------------


def test_two_cat_breeds_make_a_cat(vocab: Vocabulary, probs: Probs) -> None:
    tags = vocab.tags(probs({"Egyptian cat": 0.38, "tabby": 0.30}))
    assert tags["Animals/Cat"] == pytest.approx(0.68, abs=1e-3)
    assert tags["Animals"] == pytest.approx(0.68, abs=1e-3)
    assert set(tags) == {"Animals", "Animals/Cat"}


def test_a_motorbike_is_a_motorcycle(vocab: Vocabulary, probs: Probs) -> None:
    tags = vocab.tags(probs({"moped": 0.55, "crash helmet": 0.1, "disk brake": 0.05}))
    assert "Vehicles/Motorcycle" in tags
    assert tags["Vehicles/Motorcycle"] == pytest.approx(0.6, abs=1e-3)  # the helmet counts half
    assert not any(t.startswith("Animals") for t in tags)


def test_espresso_is_coffee(vocab: Vocabulary, probs: Probs) -> None:
    tags = vocab.tags(probs({"espresso": 0.45, "cup": 0.2, "coffee mug": 0.1}))
    assert "Food/Coffee" in tags or "Food/Drink" in tags
    assert tags["Food/Coffee"] == pytest.approx(0.55, abs=1e-3)
    assert "Food" in tags


def test_fruit_leaf_and_its_parents(vocab: Vocabulary, probs: Probs) -> None:
    tags = vocab.tags(probs({"orange": 0.5, "lemon": 0.15, "banana": 0.1}))
    assert list(tags) == ["Food", "Food/Fruit", "Food/Fruit/Orange"]  # best first
    assert tags["Food/Fruit"] == pytest.approx(0.75, abs=1e-3)


def test_an_unsure_dog_breed_is_still_a_dog(vocab: Vocabulary, probs: Probs) -> None:
    # No breed is over any threshold on its own; together they are plainly a dog.
    p = probs({"golden retriever": 0.2, "Labrador retriever": 0.16, "kuvasz": 0.1, "dingo": 0.06})
    tags = vocab.tags(p)
    assert "Animals/Dog" in tags
    assert "Animals" not in tags  # 0.52 is under the broad tag's own threshold


def test_thin_spread_over_unrelated_classes_gives_no_tag(vocab: Vocabulary) -> None:
    uniform = np.full(len(LABELS), 1.0 / len(LABELS), dtype=np.float32)
    assert vocab.tags(uniform) == {}
    spread = np.zeros(len(LABELS), dtype=np.float32)
    spread[:: len(LABELS) // 50] = 0.02  # 50 classes, every 20th
    assert vocab.tags(spread) == {}
    assert vocab.scores(spread, floor=0.2) != {}  # the broad tags did collect something


def test_a_weak_top_class_gives_no_tag(vocab: Vocabulary, probs: Probs) -> None:
    assert vocab.tags(probs({"pizza": 0.25, "volcano": 0.1, "tabby": 0.08, "canoe": 0.05})) == {}


# --- scores ---------------------------------------------------------------------------------------


def test_scores_include_ancestors_rounded_and_over_floor(vocab: Vocabulary, probs: Probs) -> None:
    p = probs({"Siamese cat": 0.31234, "lion": 0.2, "airliner": 0.06, "tench": 0.03})
    scores = vocab.scores(p)
    assert scores["Animals/Cat"] == 0.312
    assert scores["Animals/Wild Cat/Lion"] == 0.2
    assert scores["Animals/Wild Cat"] == 0.2
    assert scores["Animals"] == pytest.approx(0.542, abs=1e-3)
    assert scores["Vehicles/Aircraft"] == 0.06
    assert "Animals/Fish" not in scores  # 0.03 is under the default floor
    assert "Animals/Fish" in vocab.scores(p, floor=0.01)
    for tag, score in scores.items():
        assert score >= 0.05 and round(score, 3) == score
        assert all(a in scores for a in ancestors(tag))
    assert list(scores.values()) == sorted(scores.values(), reverse=True)


def test_tags_are_the_scores_over_their_thresholds(vocab: Vocabulary, probs: Probs) -> None:
    p = probs({"seashore": 0.35, "sandbar": 0.1, "lakeside": 0.2, "alp": 0.1})
    scores = vocab.scores(p, floor=0.0)
    tags = vocab.tags(p)
    assert tags == {t: s for t, s in scores.items() if s >= vocab.threshold(t)}
    assert "Scenes/Beach" in tags and "Nature/Lake" not in tags


def test_scores_are_capped_at_one(vocab: Vocabulary) -> None:
    scores = vocab.scores(np.ones(len(LABELS), dtype=np.float32))
    assert scores["Animals"] == 1.0
    assert max(scores.values()) == 1.0


def test_wrong_number_of_probabilities_is_refused(vocab: Vocabulary) -> None:
    with pytest.raises(ValueError, match="1000"):
        vocab.scores(np.zeros(999, dtype=np.float32))


# --- the mapping ----------------------------------------------------------------------------------


def test_file_loads_with_one_row_per_class(vocab: Vocabulary, raw: dict) -> None:
    assert vocab.version == raw["version"] == "3"
    assert vocab.num_classes == len(LABELS) == len(raw["classes"]) == 1000
    # The rows carry the ImageNet name, so a reordered label list would show here.
    assert [row[3] for row in raw["classes"]] == LABELS


def test_every_class_tag_exists_and_every_tag_has_its_ancestors(
    vocab: Vocabulary, raw: dict
) -> None:
    for tag, _weight, *_ in raw["classes"]:
        assert tag is None or vocab.is_known(tag), tag
    assert vocab.names == sorted(raw["tags"])
    for tag in vocab.names:
        assert all(vocab.is_known(a) for a in ancestors(tag)), tag
        assert all(part[:1].isupper() for part in tag.split("/")), tag


def test_thresholds_are_in_range(vocab: Vocabulary) -> None:
    for tag in vocab.names:
        assert 0.0 < vocab.threshold(tag) <= 1.0, tag
    # Broad tags collect more of an unsure model's spread, so they need more.
    assert vocab.threshold("Animals") > vocab.threshold("Animals/Cat")


def test_unknown_tags_get_the_default_threshold(vocab: Vocabulary) -> None:
    assert not vocab.is_known("Holidays/Rome 2024")
    assert vocab.threshold("Holidays/Rome 2024") == vocab.default_threshold
    assert 0.0 < vocab.default_threshold <= 1.0


def test_vocabulary_is_a_searchable_size(vocab: Vocabulary, raw: dict) -> None:
    assert 100 <= len(vocab.names) <= 250
    untagged = sum(1 for row in raw["classes"] if row[0] is None)
    assert untagged < 50
    # "People" tags come from the face detector and the object detector's persons, never from
    # ImageNet classes.
    people = [row[3] for row in raw["classes"] if (row[0] or "").split("/")[0] == "People"]
    assert people == []
    assert [row[2] for row in raw["objects"] if row[0] == "People"] == ["person"]


def tag_of(raw: dict, name: str) -> str | None:
    return raw["classes"][INDEX[name]][0]  # type: ignore[no-any-return]


def test_all_dog_breeds_map_to_dog(raw: dict) -> None:
    breeds = class_range("Chihuahua", "Mexican hairless")
    assert len(breeds) == 118
    for i in breeds:
        assert raw["classes"][i][0] == "Animals/Dog", LABELS[i]
    for wild in ("timber wolf", "coyote", "red fox", "hyena"):
        assert not (tag_of(raw, wild) or "").startswith("Animals/Dog"), wild


def test_dog_breeds_add_up_to_a_dog(vocab: Vocabulary) -> None:
    p = np.zeros(len(LABELS), dtype=np.float32)
    breeds = class_range("Chihuahua", "Mexican hairless")
    p[list(breeds)] = 0.9 / len(breeds)
    assert vocab.tags(p)["Animals/Dog"] == pytest.approx(0.9, abs=1e-3)


def test_class_families_land_under_their_branch(raw: dict) -> None:
    families = {
        ("tabby", "Egyptian cat"): "Animals/Cat",
        ("cock", "hen"): "Animals/Bird",
        ("tench", "stingray"): "Animals/Fish",
        ("loggerhead", "Komodo dragon"): "Animals/Reptile",
        ("thunder snake", "sidewinder"): "Animals/Reptile/Snake",
        ("admiral", "lycaenid"): "Animals/Insect/Butterfly",
        ("orangutan", "indri"): "Animals/Primate",
        ("Granny Smith", "pomegranate"): "Food/Fruit",
        ("coral fungus", "bolete"): "Nature/Mushroom",
    }
    for (first, last), branch in families.items():
        for i in class_range(first, last):
            tag = raw["classes"][i][0]
            assert tag == branch or tag.startswith(branch + "/"), (LABELS[i], tag)


def test_everyday_classes_have_the_tag_people_use(raw: dict) -> None:
    expected = {
        "espresso": "Food/Coffee",
        "orange": "Food/Fruit/Orange",
        "moped": "Vehicles/Motorcycle",
        "airliner": "Vehicles/Aircraft",
        "warplane": "Vehicles/Aircraft",
        "sports car": "Vehicles/Car",
        "car wheel": "Vehicles/Car",
        "school bus": "Vehicles/Bus",
        "mountain bike": "Vehicles/Bicycle",
        "catamaran": "Vehicles/Boat/Sailboat",
        "seashore": "Scenes/Beach",
        "alp": "Nature/Mountain",
        "soccer ball": "Sports/Soccer",
        "acoustic guitar": "Music/Guitar",
        "laptop": "Objects/Electronics/Computer",
        "cellular telephone": "Objects/Electronics/Phone",
        "pizza": "Food/Pizza",
        "daisy": "Nature/Flower",
        "lion": "Animals/Wild Cat/Lion",
        "teddy": "Objects/Toy",
        "velvet": None,
    }
    for name, tag in expected.items():
        assert tag_of(raw, name) == tag, name


# --- damaged files --------------------------------------------------------------------------------


def test_missing_file_is_a_model_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="missing"):
        Vocabulary.from_file(tmp_path / "nope.json")


@pytest.mark.parametrize(
    "damage",
    [
        lambda d: d["classes"][0].__setitem__(0, "Animals/Unicorn"),  # unknown tag
        lambda d: d["tags"]["Animals/Cat"].__setitem__("threshold", 0.0),  # threshold not in (0, 1]
        lambda d: d["tags"].pop("Animals"),  # a tag without its parent
        lambda d: d.pop("classes"),
        lambda d: d["classes"][5].__setitem__(1, 2.0),  # weight over 1
        lambda d: d["objects"][17].__setitem__(0, "Animals/Unicorn"),  # unknown object tag
        lambda d: d["objects"][17].__setitem__(1, 1.5),  # an object that never counts
        lambda d: d["objects"].__setitem__(3, ["Vehicles"]),  # a short row
    ],
)
def test_damaged_file_is_a_model_error(tmp_path: Path, raw: dict, damage: Callable) -> None:
    data = json.loads(json.dumps(raw))
    damage(data)
    path = tmp_path / "vocab.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ModelError, match="damaged"):
        Vocabulary.from_file(path)


def test_unreadable_json_is_a_model_error(tmp_path: Path) -> None:
    path = tmp_path / "vocab.json"
    path.write_text('{"version": "1", "tags": {', encoding="utf-8")
    with pytest.raises(ModelError, match="cannot be read"):
        Vocabulary.from_file(path)


def test_no_model_tag_sits_under_a_root_of_the_photos_own_facts(vocab: Vocabulary) -> None:
    """Places, Dates, Events, Time of day and Seasons come from a photo's GPS and capture time;
    what the classifier sees of a place or an occasion is a scene."""
    facts = ("Places", "Dates", "Events", "Time of day", "Seasons")
    assert not [t for t in vocab.names if t.split("/")[0] in facts]
    assert {"Scenes/Beach", "Scenes/Halloween"} <= set(vocab.names)


# --- the object detector's classes ----------------------------------------------------------------

COCO = (MODELS_DIR / "coco_labels.txt").read_text(encoding="utf-8").splitlines()


def test_every_object_class_has_a_row_in_the_detectors_order(vocab: Vocabulary, raw: dict) -> None:
    assert [row[2] for row in raw["objects"]] == COCO
    for tag, score, name in raw["objects"]:
        assert tag is None or vocab.is_known(tag), name
        assert 0.45 <= score < 1.0, name
        assert vocab.object_threshold(name) == score


def test_objects_map_to_the_tags_a_person_searches_by(vocab: Vocabulary) -> None:
    assert vocab.objects["horse"] == ("Animals/Horse", 0.45)
    assert vocab.objects["motorcycle"][0] == "Vehicles/Motorcycle"
    # a body without a face must be sure: People tags are shown at any score
    assert vocab.objects["person"] == ("People", 0.6)
    # the vocabulary gains the tags only objects give, with their own threshold
    assert vocab.is_known("Animals/Giraffe") and vocab.threshold("Animals/Giraffe") == 0.45
    # in most photos without being what they are of, or false on round things: no tag
    for name in ("dining table", "chair", "bowl", "toilet", "bottle", "mouse"):
        assert vocab.objects[name][0] is None, name
    # fired at 0.62 by a dark copy of coins: counts only over that
    assert vocab.objects["clock"] == ("Objects/Clock", 0.7)


def test_an_object_tag_scores_its_best_object_and_lifts_its_ancestors(vocab: Vocabulary) -> None:
    found = [("horse", 0.62), ("horse", 0.81), ("giraffe", 0.7), ("chair", 0.9), ("kayak", 0.9)]
    assert vocab.object_tags(found) == {
        "Animals": 0.81,
        "Animals/Horse": 0.81,
        "Animals/Giraffe": 0.7,
    }
    assert vocab.object_tags([]) == {}


def test_a_vocabulary_older_than_the_object_detector_still_loads(raw: dict) -> None:
    older = {k: v for k, v in raw.items() if k != "objects"}
    older["tags"] = {t: v for t, v in raw["tags"].items() if v["classes"]}
    vocab = Vocabulary.from_dict(older)
    assert vocab.object_tags([("horse", 0.9)]) == {}
    assert vocab.object_threshold("horse") == vocab.default_threshold
    assert not vocab.is_known("Animals/Giraffe")
