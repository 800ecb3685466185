"""What a shadow test of new models found, on the terminal (`photo-tagger models shadow`): a
summary, then each photo that would change; or as JSON for scripts (`--json`)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from photo_tagger.cli.common import print_json
from photo_tagger.words import count

if TYPE_CHECKING:
    from photo_tagger.app.shadow import ShadowReport
    from photo_tagger.vision.workers import Progress


def progress_printer(quiet: bool) -> tuple[Callable[[Progress], None], Callable[[], None]]:
    """A progress line on stderr while the new models are tried, and what ends it."""
    interactive = sys.stderr.isatty()

    def show(p: Progress) -> None:
        if quiet:
            return
        line = f"trying the new models: {p.line()}"
        if interactive:
            print("\r" + line + "   ", end="", file=sys.stderr, flush=True)
        elif p.done == p.total:
            print(line, file=sys.stderr, flush=True)

    def end() -> None:
        if interactive and not quiet:
            print(file=sys.stderr)

    return show, end


def tag_counts(counts: list[tuple[str, int]]) -> str:
    return ", ".join(f"{tag} ({n})" for tag, n in counts) or "none"


def print_report(report: ShadowReport, decide: str) -> None:
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(report.made))
    print(
        f"{report.candidate} (not in use) tried beside {report.current} on {report.compared} of "
        f"the library's {report.library_photos} photos ({when}): {report.headline()}."
    )
    if report.stopped:
        print(
            f"The comparison was stopped after {report.compared} of "
            f"{count(report.sampled, 'photo')}."
        )
    print(f"Tags lost most often:   {tag_counts(report.most_often(gained=False))}")
    print(f"Tags gained most often: {tag_counts(report.most_often(gained=True))}")
    if report.faces_changed:
        n = report.faces_changed
        print(f"The faces found change on {count(n, 'photo')}.")
    for change in report.changed:
        print()
        print(change.path)
        if change.lost:
            print(f"  only with the models in use: {', '.join(change.lost)}")
        if change.gained:
            print(f"  only with the new models:    {', '.join(change.gained)}")
        if change.faces[0] != change.faces[1]:
            print(f"  faces:                       {change.faces[0]} -> {change.faces[1]}")
    if report.skipped:
        print()
        print(f"{len(report.skipped)} sampled photos could not be compared:")
        for path, reason in report.skipped:
            print(f"  {path}: {reason}")
    if decide:
        print()
        print(decide)


def report_json(report: ShadowReport | None) -> None:
    """The report for scripts; {"candidate": null} when no new models wait."""
    if report is None:
        print_json({"candidate": None})
        return
    print_json(
        {
            "candidate": report.candidate,
            "release": report.release,
            "current": report.current,
            "made": report.made,
            "library_photos": report.library_photos,
            "sampled": report.sampled,
            "compared": report.compared,
            "changed": len(report.changed),
            "lost_most": counted(report.most_often(gained=False, limit=20)),
            "gained_most": counted(report.most_often(gained=True, limit=20)),
            "faces_changed": report.faces_changed,
            "photos": [
                {
                    "id": c.photo_id,
                    "path": c.path,
                    "lost": list(c.lost),
                    "gained": list(c.gained),
                    "faces": {"now": c.faces[0], "new": c.faces[1]},
                }
                for c in report.changed
            ],
            "skipped": [{"path": p, "reason": r} for p, r in report.skipped],
        }
    )


def counted(counts: list[tuple[str, int]]) -> list[dict[str, object]]:
    return [{"tag": tag, "photos": n} for tag, n in counts]
