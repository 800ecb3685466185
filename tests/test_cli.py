"""The command line end to end: real photos, real models, a real library on disk."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from photo_tagger.cli.main import main

PHOTOS = Path(__file__).resolve().parent / "data" / "photos"
ROOT = Path(__file__).resolve().parents[1]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def export(capsys: pytest.CaptureFixture[str], library: Path) -> dict[str, Any]:
    code, out, _ = run(capsys, "export", "--library", str(library))
    assert code == 0
    return json.loads(out)


def by_name(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Photos keyed by their file name (each test photo has one path)."""
    return {Path(p["paths"][0]).name: p for p in data["photos"] if p["paths"]}


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, int, str]:
    """One scan of the real photos plus broken files; shared by the read-only tests below."""
    folder = tmp_path_factory.mktemp("photos")
    for p in PHOTOS.glob("*.jpg"):
        shutil.copy(p, folder / p.name)
    broken = folder / "broken"
    broken.mkdir()
    (broken / "empty.jpg").write_bytes(b"")
    (broken / "letter.jpg").write_text("Dear diary, this is not a photo.")
    data = (PHOTOS / "obama.jpg").read_bytes()
    (broken / "truncated.jpg").write_bytes(data[: len(data) // 3])
    from tests.imaging.test_decode import png_claiming

    (broken / "bomb.png").write_bytes(png_claiming(30_000, 30_000))
    library = tmp_path_factory.mktemp("library")
    proc = subprocess.run(
        [sys.executable, "-m", "photo_tagger.cli", "scan", str(folder), "--library", str(library)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return folder, library, proc.returncode, proc.stdout + proc.stderr


def test_scan_reports_each_broken_file_and_exits_1(scanned: tuple[Path, Path, int, str]) -> None:
    folder, _, code, output = scanned
    assert code == 1, output
    b = folder / "broken"
    assert f"skipped: {b / 'empty.jpg'}: empty file" in output
    assert f"skipped: {b / 'letter.jpg'}: not a photo" in output
    assert f"skipped: {b / 'truncated.jpg'}: truncated JPEG" in output
    assert f"skipped: {b / 'bomb.png'}: " in output and "megapixels" in output
    assert "10 analysed" in output


def test_faces_tags_and_people(
    scanned: tuple[Path, Path, int, str], capsys: pytest.CaptureFixture[str]
) -> None:
    _, library, _, _ = scanned
    data = export(capsys, library)
    photos = by_name(data)
    assert len(photos) == 10
    faces = {name: len(p["faces"]) for name, p in photos.items()}
    expected = json.loads((PHOTOS.parent / "expected_faces.json").read_text())
    assert faces == {k: v for k, v in expected.items() if k != "_"}
    assert "Animals/Cat" in photos["chelsea.jpg"]["tags"]
    assert "Vehicles/Motorcycle" in photos["motorcycle.jpg"]["tags"]
    assert any(t.startswith("Food") for t in photos["coffee.jpg"]["tags"])
    assert "People/Group" in photos["group.jpg"]["tags"]
    assert not any(t.startswith("People") for t in photos["chelsea.jpg"]["tags"])
    for p in data["photos"]:
        assert p["user"] == {}
        for tag, score in p["tags"].items():
            assert p["auto"][tag]["score"] == score
            # the samples carry no date: the file's time is a guess, every other tag a model's
            dated = tag.startswith("Dates/")
            assert p["auto"][tag]["source"] == ("photo" if dated else "local")
            assert score == 0.5 or not dated
        assert sum(t.startswith("Dates/") for t in p["tags"]) == 2
        for f in p["faces"]:
            x0, y0, x1, y1 = f["box"]
            assert 0 <= x0 < x1 <= p["width"] and 0 <= y0 < y1 <= p["height"]

    # obama's three photos are one person; biden, the astronaut and the group are others
    person = {n: photos[n]["faces"][0]["person"] for n in ("obama.jpg", "obama2.jpg", "obama3.jpg")}
    assert len(set(person.values())) == 1 and None not in person.values()
    obama = person["obama.jpg"]
    assert photos["biden.jpg"]["faces"][0]["person"] != obama
    assert photos["astronaut.jpg"]["faces"][0]["person"] != obama
    group_people = [f["person"] for f in photos["group.jpg"]["faces"]]
    assert len(set(group_people)) == 6 and obama not in group_people
    people = {p["id"]: p for p in data["people"]}
    assert people[obama]["faces"] == 3 and people[obama]["name"] is None
    assert sum(p["faces"] for p in data["people"]) == 11


def test_rescan_skips_unchanged_and_follows_moves_and_deletes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder, library = tmp_path / "photos", tmp_path / "lib"
    folder.mkdir()
    for name in ("chelsea.jpg", "coffee.jpg", "rocket.jpg"):
        shutil.copy(PHOTOS / name, folder / name)
    assert run(capsys, "scan", str(folder), "--library", str(library), "--quiet")[0] == 0
    code, out, _ = run(
        capsys, "tag", "add", "--library", str(library), str(folder / "chelsea.jpg"), "Pets/Chelsea"
    )
    assert code == 0, out

    (folder / "sub").mkdir()
    os.rename(folder / "chelsea.jpg", folder / "sub" / "renamed.jpg")
    os.remove(folder / "rocket.jpg")
    code, out, _ = run(capsys, "scan", str(folder), "--library", str(library), "--quiet")
    assert code == 0
    assert "0 analysed" in out and "1 unchanged" in out
    assert "1 recognised by content" in out and "1 gone from disk" in out

    data = export(capsys, library)
    renamed = next(p for p in data["photos"] if any(x.endswith("renamed.jpg") for x in p["paths"]))
    assert renamed["paths"] == [str(folder / "sub" / "renamed.jpg")]
    assert renamed["user"] == {"Pets/Chelsea": True}
    assert renamed["tags"]["Pets/Chelsea"] == 1.0 and "Animals/Cat" in renamed["tags"]
    gone = [p for p in data["photos"] if not p["paths"]]
    assert len(gone) == 1  # the deleted photo's tags stay in the shared document; no path


def test_a_rescan_restores_photos_another_device_wiped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from photo_tagger.store.library import Library
    from tests.store.hostile import write_as_peer

    folder, library = tmp_path / "photos", tmp_path / "lib"
    folder.mkdir()
    for name in ("obama.jpg", "chelsea.jpg", "coffee.jpg"):
        shutil.copy(PHOTOS / name, folder / name)
    assert run(capsys, "scan", str(folder), "--library", str(library), "--quiet")[0] == 0
    coffee = str(folder / "coffee.jpg")
    assert run(capsys, "tag", "add", "--library", str(library), coffee, "Mornings")[0] == 0
    before = by_name(export(capsys, library))

    with Library.open(library) as lib:
        spared = lib.index.lookup(coffee)[2]  # type: ignore[index]

        def wipe_all_but_coffee(roots: dict[str, Any]) -> None:
            for shared in roots.values():
                for key in list(shared.keys()):
                    if not key.startswith(spared):
                        del shared[key]

        write_as_peer(lib, wipe_all_but_coffee)
        assert lib.document.photo_ids() == [spared]

    code, out, _ = run(capsys, "scan", str(folder), "--library", str(library), "--quiet")
    assert code == 0, out
    assert "2 analysed" in out and "1 unchanged, 2 restored" in out
    assert "Restored 2 photos whose model tags and faces were no longer in the library" in out
    after = by_name(export(capsys, library))
    for name in ("obama.jpg", "chelsea.jpg"):
        assert after[name]["auto"] == before[name]["auto"], name
        assert len(after[name]["faces"]) == len(before[name]["faces"]), name
    assert after["obama.jpg"]["faces"][0]["person"] is not None  # a person again
    assert after["coffee.jpg"]["user"] == {"Mornings": True}
    assert after["coffee.jpg"]["tags"]["Mornings"] == 1.0


def test_user_tags_beat_the_model_and_survive_a_rescan(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder, library = tmp_path / "photos", tmp_path / "lib"
    folder.mkdir()
    shutil.copy(PHOTOS / "chelsea.jpg", folder / "cat.jpg")
    run(capsys, "scan", str(folder), "--library", str(library), "--quiet")
    photo = str(folder / "cat.jpg")
    assert run(capsys, "tag", "remove", "--library", str(library), photo, "Animals/Cat")[0] == 0
    assert run(capsys, "tag", "add", "--library", str(library), photo, "Chelsea")[0] == 0
    # a model run again (the file touched, so it is analysed again) never touches user intent
    os.utime(folder / "cat.jpg", ns=(1, 1))
    run(capsys, "scan", str(folder), "--library", str(library), "--quiet")
    (p,) = export(capsys, library)["photos"]
    assert p["user"] == {"Animals/Cat": False, "Chelsea": True}
    assert "Animals/Cat" not in p["tags"] and "Animals/Cat" in p["auto"]
    assert p["tags"]["Chelsea"] == 1.0

    code, _, err = run(capsys, "tag", "add", "--library", str(library), "nope.jpg", "X")
    assert code == 2 and "No photo 'nope.jpg'" in err


def test_name_merge_and_reject_people(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder, library = tmp_path / "photos", tmp_path / "lib"
    folder.mkdir()
    for name in ("obama.jpg", "obama2.jpg", "biden.jpg"):
        shutil.copy(PHOTOS / name, folder / name)
    run(capsys, "scan", str(folder), "--library", str(library), "--quiet")
    photos = by_name(export(capsys, library))
    obama = photos["obama.jpg"]["faces"][0]["person"]
    biden = photos["biden.jpg"]["faces"][0]["person"]
    assert obama != biden

    assert run(capsys, "people", "name", "--library", str(library), obama, "Barack")[0] == 0
    assert run(capsys, "people", "name", "--library", str(library), biden, "Joe")[0] == 0
    # the user says obama2's face is not Barack: it must never be suggested as Barack again
    code, out, _ = run(
        capsys, "people", "reject", "--library", str(library), str(folder / "obama2.jpg"), "0"
    )
    assert code == 0, out
    data = export(capsys, library)
    photos = by_name(data)
    assert photos["obama2.jpg"]["faces"][0]["person"] not in (obama, None)
    run(capsys, "scan", str(folder), "--library", str(library), "--quiet")
    assert by_name(export(capsys, library))["obama2.jpg"]["faces"][0]["person"] != obama

    assert run(capsys, "people", "merge", "--library", str(library), "Joe", "Barack")[0] == 0
    data = export(capsys, library)
    names = {p["name"] for p in data["people"]}
    assert "Joe" not in names and "Barack" in names
    assert by_name(data)["biden.jpg"]["faces"][0]["person"] == obama
    code, out, _ = run(capsys, "people", "list", "--library", str(library))
    assert code == 0 and "Barack" in out


def test_unreadable_photo_is_reported(tmp_path: Path) -> None:
    folder, library = tmp_path / "photos", tmp_path / "lib"
    folder.mkdir()
    shutil.copy(PHOTOS / "coffee.jpg", folder / "ok.jpg")
    shutil.copy(PHOTOS / "rocket.jpg", folder / "secret.jpg")
    os.chmod(folder / "secret.jpg", 0)
    cmd = [sys.executable, "-m", "photo_tagger.cli", "scan", str(folder), "--library", str(library)]
    if os.geteuid() == 0:  # root reads anything; drop the capabilities that let it
        cmd = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", *cmd]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"skipped: {folder / 'secret.jpg'}: cannot read file (Permission denied)" in proc.stdout
    assert "1 analysed" in proc.stdout


def test_a_name_that_is_not_utf8_is_scanned_and_reported(tmp_path: Path) -> None:
    folder, library = tmp_path / "photos", tmp_path / "lib"
    folder.mkdir()
    shutil.copy(PHOTOS / "coffee.jpg", os.path.join(os.fsencode(folder), b"caf\xe9.jpg"))
    (folder / "letter.jpg").write_bytes(b"")
    with open(os.path.join(os.fsencode(folder), b"lettr\xe9.jpg"), "wb") as f:
        f.write(b"Dear diary, this is not a photo.")
    cmd = [sys.executable, "-m", "photo_tagger.cli", "scan", str(folder), "--library", str(library)]
    utf8 = dict(os.environ, PYTHONIOENCODING="utf-8")  # a terminal that takes UTF-8 only
    proc = subprocess.run(cmd, capture_output=True, cwd=ROOT, env=utf8)
    out = proc.stdout.decode("utf-8", "replace") + proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 1, out  # the two empty files are skipped, each with its reason
    assert "1 analysed" in out and "Traceback" not in out
    assert f"skipped: {folder / 'lettr'}\ufffd.jpg: " in out
    # the export names it faithfully: JSON text whose path turns back into the name's bytes
    export = [sys.executable, "-m", "photo_tagger.cli", "export", "--library", str(library)]
    proc = subprocess.run(export, capture_output=True, cwd=ROOT, env=utf8)
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    data = json.loads(proc.stdout.decode("utf-8"))
    paths = [path for photo in data["photos"] for path in photo["paths"]]
    assert [os.fsencode(p) for p in paths] == [os.path.join(os.fsencode(folder), b"caf\xe9.jpg")]
    # and the window's catalogue reads it as the file system's own str
    from photo_tagger.store.catalog import read_catalog
    from photo_tagger.store.paths import INDEX_FILE

    rows = read_catalog(library / INDEX_FILE).rows
    assert [os.fsencode(r[1]) for r in rows] == [os.fsencode(paths[0])]


@pytest.mark.skipif(shutil.which("prlimit") is None, reason="needs prlimit (util-linux)")
def test_a_full_disk_ends_the_scan_with_exit_2(tmp_path: Path) -> None:
    folder, library = tmp_path / "photos", tmp_path / "lib"
    folder.mkdir()
    for p in PHOTOS.glob("*.jpg"):
        shutil.copy(p, folder / p.name)
    scan = [sys.executable, "-m", "photo_tagger.cli", "scan", "--library", str(library), "--quiet"]
    (tmp_path / "empty").mkdir()
    subprocess.run([*scan, str(tmp_path / "empty")], check=True, capture_output=True, cwd=ROOT)
    # no file of the library may grow past 64 KiB: the disk is full for it
    full = ["prlimit", f"--fsize={64 * 1024}", *scan, str(folder)]
    proc = subprocess.run(full, capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "free some space and scan again" in proc.stderr and "Traceback" not in proc.stderr
    from photo_tagger.store.library import Library

    with Library.open(library) as lib:
        stored = lib.document.photo_ids()
        assert all(lib.index.paths_for(cid) for cid in stored)
