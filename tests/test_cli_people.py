"""`photo-tagger people`: what it prints says who people are, and a merge keeps the name."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.test_cli import PHOTOS, by_name, export, run


def test_merging_a_named_person_into_a_group_keeps_the_name_and_says_who(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder, library = tmp_path / "photos", str(tmp_path / "lib")
    folder.mkdir()
    for name in ("obama.jpg", "biden.jpg"):
        shutil.copy(PHOTOS / name, folder / name)
    run(capsys, "scan", str(folder), "--library", library, "--quiet")
    photos = by_name(export(capsys, library))
    obama = photos["obama.jpg"]["faces"][0]["person"]
    biden = photos["biden.jpg"]["faces"][0]["person"]
    assert obama != biden

    code, out, _ = run(capsys, "people", "list", "--library", library)
    assert code == 0
    line = next(row for row in out.splitlines() if row.startswith(biden[:8]))
    assert "(unnamed)" in line and "1 face " in line + " " and "biden.jpg" in line

    assert run(capsys, "people", "name", "--library", library, biden[:6], "Leo Messi")[0] == 0
    code, out, _ = run(capsys, "people", "merge", "--library", library, "Leo Messi", obama[:4])
    assert code == 0
    assert "Leo Messi" in out
    data = export(capsys, library)
    kept = {p["id"]: p for p in data["people"]}
    assert biden not in kept
    assert kept[obama]["name"] == "Leo Messi"  # the merged group keeps the name
    assert by_name(data)["biden.jpg"]["faces"][0]["person"] == obama

    code, out, _ = run(
        capsys, "people", "confirm", "--library", library, str(folder / "biden.jpg"), "0"
    )
    assert code == 0
    assert out.strip() == f"face 0 of {folder / 'biden.jpg'} is Leo Messi ({obama[:8]})"

    code, out, _ = run(capsys, "people", "list", "--library", library)
    line = next(row for row in out.splitlines() if row.startswith(obama[:8]))
    assert "Leo Messi" in line and "2 faces" in line and ".jpg" in line
    assert "1 faces" not in out


def test_every_command_and_option_has_help() -> None:
    import argparse

    from photo_tagger.cli.main import build_parser

    def missing(parser: argparse.ArgumentParser, path: str) -> list[str]:
        found = []
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                helped = {c.dest for c in action._choices_actions if c.help}
                for name, sub in action.choices.items():
                    if name not in helped:
                        found.append(f"{path} {name}")
                    found += missing(sub, f"{path} {name}")
            elif not action.help:
                found.append(f"{path} {'/'.join(action.option_strings) or action.dest}")
        return found

    assert missing(build_parser(), "photo-tagger") == []
