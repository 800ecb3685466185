"""New models tried beside the ones in use before the user decides: `models update` downloads a
signed release from `photo-tagger serve` as a candidate and tries it on a sample of the library,
`models shadow` lists where it differs, `models accept` switches and re-tags, `models reject`
drops it; and `models shadow --models-dir` tries a folder of rebuilt models. Real server, real
models, real photos; the candidate really differs (tests/releases.py `different_models`)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from photo_tagger.app.model_updates import try_candidate
from photo_tagger.app.shadow import pick_spread
from photo_tagger.app.shadow_store import report_file
from photo_tagger.cli.main import main
from photo_tagger.store.library import Library
from tests.harness import ProcessServer
from tests.releases import bumped_models, different_models

PHOTOS = Path(__file__).resolve().parents[1] / "data" / "photos"
NAMES = ("chelsea.jpg", "coffee.jpg", "obama.jpg", "obama2.jpg")

# where different_models() differs from the shipped models on these photos
EXPECTED = {
    "chelsea.jpg": {"lost": ["Animals", "Animals/Cat"], "gained": [], "faces": [0, 0]},
    # both lose their face, but not People: the object detector still sees a person
    "obama.jpg": {"lost": ["People/Portrait"], "gained": [], "faces": [1, 0]},
    "obama2.jpg": {
        "lost": ["Clothing/Tie", "People/Portrait"],
        "gained": ["Clothing/Suit"],
        "faces": [1, 0],
    },
}

Setup = tuple[ProcessServer, Path, Path, str, Path]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def setup(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Iterator[Setup]:
    """A server offering `different_models` as release 2, signed by a key the library trusts;
    a library of four scanned photos, with a tag the user added and one they removed."""
    data, key, library = tmp_path / "server", tmp_path / "keys" / "release.key", tmp_path / "lib"
    code, out, _ = run(capsys, "server", "add-library", "--data", str(data), "Home")
    assert code == 0, out
    token = json.loads(out)["token"]
    assert run(capsys, "models", "keygen", "--library", str(library), str(key))[0] == 0
    lib = ("--library", str(library))
    assert run(capsys, "models", "trust", *lib, str(key.with_suffix(".pub")))[0] == 0
    photos = tmp_path / "photos"
    photos.mkdir()
    for name in NAMES:
        shutil.copy(PHOTOS / name, photos / name)
    assert run(capsys, "scan", str(photos), *lib, "--quiet")[0] == 0
    assert run(capsys, "tag", "add", *lib, str(photos / "chelsea.jpg"), "Pets/Chelsea")[0] == 0
    assert run(capsys, "tag", "remove", *lib, str(photos / "coffee.jpg"), "Food/Coffee")[0] == 0
    code, out, err = run(
        capsys, "server", "publish-models", "--out", str(data / "models"), "--key", str(key),
        "--release", "2", "--from", str(different_models(tmp_path)),
    )  # fmt: skip
    assert code == 0, out + err
    with ProcessServer(data) as server:
        yield server, data, library, token, photos


def models(capsys: pytest.CaptureFixture[str], library: Path, *argv: str) -> tuple[int, str, str]:
    return run(capsys, "models", *argv, "--library", str(library))


def update(capsys: pytest.CaptureFixture[str], setup: Setup) -> tuple[int, str, str]:
    server, _, library, token, _ = setup
    return models(capsys, library, "update", "--server", server.url, "--token", token)


def export(capsys: pytest.CaptureFixture[str], library: Path) -> dict[str, dict[str, Any]]:
    code, out, _ = run(capsys, "export", "--library", str(library))
    assert code == 0
    return {Path(p["paths"][0]).name: p for p in json.loads(out)["photos"]}


def library_bytes(library: Path) -> dict[str, bytes]:
    """The shared document and the local index, as they are on disk."""
    return {
        f.name: f.read_bytes()
        for f in sorted(library.iterdir())
        if f.name.startswith(("document.sqlite3", "index.sqlite3"))
    }


def differences(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        Path(p["path"]).name: {
            "lost": p["lost"],
            "gained": p["gained"],
            "faces": [p["faces"]["now"], p["faces"]["new"]],
        }
        for p in report["photos"]
    }


def test_an_update_is_tried_on_the_library_and_changes_nothing_until_accepted(
    setup: Setup, capsys: pytest.CaptureFixture[str]
) -> None:
    library = setup[2]
    before, files_before = export(capsys, library), library_bytes(library)

    code, out, err = update(capsys, setup)
    assert code == 0, out + err
    assert "downloaded model release 2" in out and "not in use" in out
    assert "model release 2 beside the shipped models: 3 of 4 photos would change" in out
    assert "re-tagged" not in err
    # nothing the user sees, and nothing of the library, changed
    assert library_bytes(library) == files_before
    assert export(capsys, library) == before
    said = models(capsys, library, "status")[1]
    assert "shipped with the app" in said and "release 2 is waiting for your decision" in said
    assert "3 of 4 photos would change" in said

    code, out, _ = models(capsys, library, "shadow", "--json")
    assert code == 0
    report = json.loads(out)
    assert (report["release"], report["sampled"], report["compared"]) == (2, 4, 4)
    assert (report["changed"], report["faces_changed"]) == (3, 2)
    assert differences(report) == EXPECTED
    assert {"tag": "Clothing/Suit", "photos": 1} in report["gained_most"]
    code, out, _ = models(capsys, library, "shadow")
    assert code == 0 and "3 of 4 photos would change" in out
    assert "only with the new models:    Clothing/Suit" in out and "faces:" in out
    assert "models accept" in out and "models reject" in out

    # a damaged comparison is as none: the candidate is tried again (on two photos, as asked)
    (library / "models" / "shadow.json").write_text('{"version": 1, "changed": "no')
    code, out, _ = models(capsys, library, "shadow", "--json", "--sample", "2")
    report = json.loads(out)
    assert (report["sampled"], report["compared"]) == (2, 2)
    assert differences(report) == {"obama2.jpg": EXPECTED["obama2.jpg"]}  # coffee and obama2
    assert library_bytes(library) == files_before
    assert export(capsys, library) == before

    code, out, err = models(capsys, library, "accept")
    assert code == 0 and "now using model release 2" in out and "re-tagged 4 photos" in err
    assert "objects: 5 objects found in 4 photos" in err  # as the window looks after it
    after = export(capsys, library)
    for name in NAMES:  # what the comparison said is what happened
        lost = sorted(before[name]["tags"].keys() - after[name]["tags"].keys())
        gained = sorted(after[name]["tags"].keys() - before[name]["tags"].keys())
        faces = [len(before[name]["faces"]), len(after[name]["faces"])]
        said_then = EXPECTED.get(name, {"lost": [], "gained": [], "faces": faces})
        assert {"lost": lost, "gained": gained, "faces": faces} == said_then, name
        assert after[name]["user"] == before[name]["user"]  # the user's tags stay
    assert after["chelsea.jpg"]["user"] == {"Pets/Chelsea": True}
    assert after["coffee.jpg"]["user"] == {"Food/Coffee": False}
    assert "Food/Coffee" not in after["coffee.jpg"]["tags"]
    assert not (library / "models" / "candidate").exists()
    assert not (library / "models" / "shadow.json").exists()
    assert "waiting" not in models(capsys, library, "status")[1]

    # every command goes on with the models accepted: a rescan finds nothing to redo
    code, out, _ = run(capsys, "scan", str(setup[4]), "--library", str(library))
    assert code == 0 and " 0 analysed" in out and "4 unchanged" in out, out
    assert export(capsys, library) == after


def test_a_rejected_candidate_leaves_everything_as_it_was(
    setup: Setup, capsys: pytest.CaptureFixture[str]
) -> None:
    library = setup[2]
    before, files_before = export(capsys, library), library_bytes(library)
    assert update(capsys, setup)[0] == 0

    code, out, _ = models(capsys, library, "reject")
    assert code == 0 and "model release 2 dropped" in out
    assert library_bytes(library) == files_before and export(capsys, library) == before
    assert sorted(f.name for f in (library / "models").iterdir()) == ["state.json"]
    said = models(capsys, library, "status")[1]
    assert "shipped with the app" in said and "waiting" not in said
    code, out, _ = models(capsys, library, "shadow")
    assert code == 0 and "No new models are waiting" in out
    assert json.loads(models(capsys, library, "shadow", "--json")[1]) == {"candidate": None}
    code, _, err = models(capsys, library, "reject")
    assert code == 2 and "No new models are waiting" in err


def test_a_folder_of_rebuilt_models_is_tried_and_nothing_is_kept(
    setup: Setup, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    library, photos = setup[2], setup[4]
    files_before = library_bytes(library)
    folder = different_models(tmp_path, "rebuilt")
    (photos / "coffee.jpg").unlink()  # its file is gone: skipped, and said why

    code, out, _ = models(capsys, library, "shadow", "--models-dir", str(folder), "--json")
    assert code == 1
    report = json.loads(out)
    assert report["release"] is None and report["candidate"] == f"the models in {folder}"
    assert differences(report) == EXPECTED
    reason = "cannot read file (No such file or directory)"
    assert report["skipped"] == [{"path": str(photos / "coffee.jpg"), "reason": reason}]
    assert library_bytes(library) == files_before
    assert not (library / "models").exists()  # no candidate, no comparison kept

    # the same models: nothing would change
    code, out, _ = models(capsys, library, "shadow", "--models-dir", str(bumped_models(tmp_path)))
    assert "0 of 3 photos would change" in out

    # the folder's manifest is checked as the shipped one is
    model = folder / "tagger.int8.onnx"
    damaged = bytearray(model.read_bytes())
    damaged[len(damaged) // 2] ^= 0xFF
    model.write_bytes(bytes(damaged))
    code, _, err = models(capsys, library, "shadow", "--models-dir", str(folder))
    assert code == 2 and "does not match its manifest" in err and "Traceback" not in err
    code, _, err = models(capsys, library, "shadow", "--models-dir", str(photos))
    assert code == 2 and "holds no manifest.json" in err


def test_the_sample_is_spread_over_the_library_and_always_the_same() -> None:
    photos = [f"{folder}/{i:03d}.jpg" for folder in "abcde" for i in range(200)]
    sample = pick_spread(photos, 200)
    assert sample == pick_spread(photos, 200) and len(set(sample)) == 200
    assert {p.split("/")[0]: 0 for p in sample}.keys() == set("abcde")
    assert all(sum(p.startswith(f) for p in sample) == 40 for f in "abcde")
    assert pick_spread(photos[:7], 200) == photos[:7] and pick_spread(photos, 0) == []


def test_a_trial_stopped_part_way_is_not_kept(
    setup: Setup, capsys: pytest.CaptureFixture[str]
) -> None:
    library = setup[2]
    assert update(capsys, setup)[0] == 0
    report_file(library).unlink()
    with Library.open(library) as opened:
        stopped = try_candidate(opened, should_stop=lambda: True)
    assert stopped.stopped and stopped.compared < stopped.sampled == 4
    assert not report_file(library).exists()  # tried again next time, whole
    said = models(capsys, library, "status")[1]
    assert "release 2 is waiting for your decision." in said and "would change" not in said
    code, out, _ = models(capsys, library, "shadow", "--json")
    assert code == 0 and differences(json.loads(out)) == EXPECTED
    assert report_file(library).exists()
