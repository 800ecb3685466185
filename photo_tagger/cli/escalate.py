"""`photo-tagger escalate`: send the photos the local model is unsure about to a bigger cloud
model (with the user's consent, per library), and bring its tags back."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from photo_tagger.cli.common import EXIT_ERROR, EXIT_OK, EXIT_SKIPPED, open_library
from photo_tagger.cli.common import library_dir as cli_library_dir


def register(sub: argparse._SubParsersAction, library_parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "escalate",
        parents=[library_parent],
        help="send the photos the local model is unsure about to a cloud model (opt-in)",
        description="Turns escalation on for the library (the settings are remembered), queues "
        "every photo whose best local tag scores under the threshold and sends what the daily "
        "budget allows: a re-encode of its pixels, long side at most --max-side, with no EXIF, "
        "GPS or XMP, never the file. Without options it sends what is queued. Photos wait in "
        "the queue while no endpoint answers.",
    )
    p.add_argument(
        "--endpoint",
        action="append",
        metavar="URL",
        help="an Open Inference Protocol v2 server, e.g. your `photo-tagger serve`, or with "
        "--api openai-chat a chat API's base URL (repeat: tried in order, the next when one is "
        "down)",
    )
    p.add_argument(
        "--token", help="the library's token on the endpoints (a chat API's key, if it has one)"
    )
    p.add_argument("--threshold", type=float, help="send photos whose best tag scores under this")
    p.add_argument("--budget", type=int, metavar="N", help="photos sent per day, at most")
    p.add_argument("--max-side", type=int, metavar="PX", help="long side of what is sent")
    p.add_argument("--model", help="the model's name on the endpoints (default cloud_tagger)")
    p.add_argument(
        "--api",
        choices=("oip", "oip-classifier", "openai-chat"),
        help="what the endpoints speak: oip (default), the Open Inference Protocol v2 with a model "
        "that takes photo files and answers tags, as `photo-tagger serve` has; oip-classifier, a "
        "stock image classifier on Triton, KServe or MLServer (see --classifier); openai-chat, an "
        "OpenAI-compatible vision chat API (Ollama, LocalAI, vLLM: give its base URL, e.g. "
        "http://box:11434/v1, and --model), asked which of the library's tags each photo shows",
    )
    p.add_argument(
        "--classifier",
        metavar="FILE",
        help="with --api oip-classifier: a JSON file of the classifier's settings (its input and "
        'output names, "size", "layout" NCHW/NHWC/flat, "mean", "std", and "labels": "imagenet" '
        "or the library tag of each class)",
    )
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--on", action="store_true", help="turn on with the remembered settings")
    mode.add_argument("--off", action="store_true", help="turn off: nothing is sent any more")
    mode.add_argument("--status", action="store_true", help="show settings and queue; send nothing")
    p.set_defaults(func=cmd_escalate)


def cmd_escalate(args: argparse.Namespace) -> int:
    from photo_tagger.cloud import escalation
    from photo_tagger.errors import EscalationNotConfiguredError

    library_dir = cli_library_dir(args)
    changes = {
        "endpoints": args.endpoint,
        "token": args.token,
        "threshold": args.threshold,
        "daily_budget": args.budget,
        "max_side": args.max_side,
        "model": args.model,
        "api": args.api,
        "classifier": _read_settings(args.classifier) if args.classifier else None,
    }
    with open_library(args) as library:
        if args.off:
            escalation.disable(library.log)
            print(f"Escalation is off for {library_dir}: no photo is sent.")
            return EXIT_OK
        if args.status:
            _print_status(escalation.status(library))
            return EXIT_OK
        if args.on or any(v is not None for v in changes.values()):
            settings = escalation.enable(library.log, **changes)
            print(
                f"Escalation is on for {library_dir}: photos under {settings.threshold:g} go to "
                f"{', '.join(settings.endpoints)} (at most {settings.daily_budget} a day, "
                f"{settings.max_side} px)."
            )
        elif not escalation.EscalationSettings.of(library.log).enabled:
            raise EscalationNotConfiguredError(
                f"Escalation is off for {library_dir}: turn it on with "
                "`photo-tagger escalate --endpoint URL --token TOKEN` (or --on)."
            )
        report = escalation.Escalator(library).run(on_refined=_print_refined)
    return _print_report(report)


def _read_settings(path: str) -> str:
    from photo_tagger.errors import EscalationNotConfiguredError

    try:
        with open(path, encoding="utf-8") as f:
            return f.read(1 << 20)
    except (OSError, UnicodeDecodeError) as exc:
        raise EscalationNotConfiguredError(
            f"The classifier's settings file {path} cannot be read: {exc}."
        ) from None


def _print_refined(r: Any) -> None:
    top = [f"{t} {s:.2f}" for t, s in sorted(r.tags.items(), key=lambda kv: -kv[1]) if s > 0][:3]
    print(
        f"refined: {r.path}: {', '.join(top) or 'no tag'} "
        f"({r.model}, {r.sent_bytes // 1024} KB sent, {r.seconds * 1000:.0f} ms)",
        flush=True,
    )


def _print_report(report: Any) -> int:
    for photo_id, reason in report.failed:
        print(f"not refined: {photo_id}: {reason}")
    for photo_id, count in report.dropped:
        print(
            f"note: {photo_id}: {count} tags of the cloud model's answer were not recorded (not in "
            "the library's vocabulary, malformed, or past 50 a photo)"
        )
    print(
        f"{len(report.refined)} photos refined in the cloud"
        + (f" by {report.endpoint}" if report.endpoint and report.refined else "")
        + f", {report.queued} newly queued, {report.waiting} waiting"
        + (f", {len(report.failed)} refused" if report.failed else "")
        + f"; {report.budget_left} more may go today."
    )
    if report.offline:
        print(f"photo-tagger: {report.offline}", file=sys.stderr)
        return EXIT_ERROR
    return EXIT_SKIPPED if report.failed else EXIT_OK


def _print_status(s: Any) -> None:
    c = s.settings
    state = "on" if c.enabled else "off"
    print(
        f"Escalation: {state} (threshold {c.threshold:g}, {c.daily_budget} photos a day, "
        f"long side {c.max_side} px, model {c.model})"
    )
    print(f"Endpoints: {', '.join(c.endpoints) or 'none'}; token {'set' if c.token else 'not set'}")
    print(
        f"Queue: {s.waiting} waiting, {s.failed} refused; {s.delivered} refined so far, "
        f"{s.sent_today} sent today"
    )
    if s.last_model:
        print(f"Cloud model: {s.last_model}")
