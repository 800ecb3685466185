"""Escalation on real photos: how many go up, how often the cloud model disagrees, what it costs.

    .venv/bin/python benchmarks/bench_escalation.py [--corpus 12]

On the sample photos (tests/data/photos), scanned by the real local pipeline into a fresh library:
(1) the share of photos escalated at the default threshold (and at a few others);
(2) how often the cloud model's top tag differs from the local model's (over the escalated photos
    and over every photo);
(3) the added latency per escalated photo, against the real `photo-tagger serve` on 127.0.0.1:
    the whole run's time over its photos (read each file, check its content id, decode and
    re-encode at 1024 px, the inference requests, up to 8 photos each, store the tags); beside
    the local-only baseline of the same run: the local analysis of a photo (decode, faces,
    embeddings, tags) on one thread. Also on 12 MP camera-sized JPEGs (benchmarks/corpus/, made
    by bench_pipeline.py) when --corpus > 0.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from photo_tagger.app.scan import Importer  # noqa: E402
from photo_tagger.cloud import escalation  # noqa: E402
from photo_tagger.cloud.escalation import Escalator  # noqa: E402
from photo_tagger.cloud.inference_client import InferenceClient  # noqa: E402
from photo_tagger.imaging import decode  # noqa: E402
from photo_tagger.store.library import Library  # noqa: E402
from photo_tagger.vision.model import default_models_dir  # noqa: E402
from photo_tagger.vision.pipeline import PEOPLE_TAG, Analyzer, Models  # noqa: E402
from tests.harness import ProcessServer, add_library, sqlite_storage  # noqa: E402

SAMPLES = ROOT / "tests" / "data" / "photos"
THRESHOLDS = (0.5, 0.7, 0.9)


def top_tag(tags: dict[str, float], specific: bool) -> str | None:
    """The best-scoring tag a classifier gives (people tags come from faces): among the branches
    ("Vehicles"), or among the specific tags below them ("Vehicles/Rocket")."""
    scored = [
        (s, t)
        for t, s in tags.items()
        if not t.startswith(PEOPLE_TAG) and s > 0 and ("/" in t) == specific
    ]
    return max(scored)[1] if scored else None


def scan(folder: Path, library_dir: Path, models: Models) -> None:
    with Library.open(library_dir) as library:
        Importer(library, models, workers=1).scan([folder])


def local_ms(paths: list[Path], models: Models) -> float:
    """Median local analysis of one photo on one thread: read, decode, faces, embeddings, tags."""
    analyzer = Analyzer(models)
    times = []
    for _ in range(3):
        for p in paths:
            t = time.perf_counter()
            image = decode(p.read_bytes())
            analyzer.analyze(image.rgb, image.width, image.height)
            times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def escalate_all(library_dir: Path, url: str, token: str) -> tuple[list[escalation.Refined], float]:
    """Every photo under a score of 1.0 sent, as escalation sends them, and the run's seconds."""
    with Library.open(library_dir) as library:
        escalation.enable(
            library.log, endpoints=[url], token=token, threshold=1.0, daily_budget=10_000
        )
        started = time.perf_counter()
        report = Escalator(library).run()
        seconds = time.perf_counter() - started
    assert not report.failed and report.offline is None, report
    return report.refined, seconds


def cloud_answers(library_dir: Path, url: str, token: str) -> dict[str, dict[str, float]]:
    """The cloud model's tags for every photo (escalated or not), asked as escalation asks."""
    with Library.open(library_dir) as library, requests.Session() as session:
        client = InferenceClient([url], token, escalation.DEFAULT_MODEL, session)
        client.connect()
        answers = {}
        for cid in library.document.photo_ids():
            data = Path(library.index.paths_for(cid)[0]).read_bytes()
            answers[cid] = client.infer([escalation.upload_bytes(data, 1024)]).tags[0]
    return answers


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=int, default=12, help="12 MP photos for the latency (0: none)")
    args = ap.parse_args()
    models = Models.load(default_models_dir())
    work = Path(tempfile.mkdtemp(prefix="bench-escalation-"))
    try:
        data = work / "server"
        storage = sqlite_storage(data)
        _, token = add_library(storage, "bench")
        storage.close()
        lib = work / "samples"
        scan(SAMPLES, lib, models)
        with Library.open(lib) as library:
            doc = library.document
            photos = {cid: Path(library.index.paths_for(cid)[0]).name for cid in doc.photo_ids()}
            local = {cid: doc.auto_tags(cid) for cid in photos}
        best = {cid: escalation.best_local_score(a) for cid, a in local.items()}
        n = len(photos)
        print(f"sample photos: {n}, scanned by the local pipeline (int8 MobileNetV2)")
        for t in THRESHOLDS:
            up = sorted(photos[c] for c in photos if best[c] < t)
            default = "  (default)" if t == escalation.EscalationSettings().threshold else ""
            print(f"  threshold {t:.1f}: {len(up)}/{n} escalated = {len(up) / n:.0%}{default}")
            print(f"      {', '.join(up) or '-'}")

        with ProcessServer(data) as server:
            cloud = cloud_answers(lib, server.url, token)  # also loads the server's model
            refined, seconds = escalate_all(lib, server.url, token)
            corpus_refined: list[escalation.Refined] = []
            corpus_seconds = 0.0
            corpus: list[Path] = []
            if args.corpus > 0:
                from bench_pipeline import make_corpus

                corpus = make_corpus(args.corpus)
                folder = work / "corpus"
                folder.mkdir()
                for p in corpus:
                    shutil.copy(p, folder / p.name)
                scan(folder, work / "corpus-lib", models)
                corpus_refined, corpus_seconds = escalate_all(
                    work / "corpus-lib", server.url, token
                )

        default_t = escalation.EscalationSettings().threshold
        differs = []
        for cid, name in sorted(photos.items(), key=lambda kv: kv[1]):
            scores = {t: a["score"] for t, a in local[cid].items()}
            lt = [top_tag(scores, k) for k in (False, True)]
            ct = [top_tag(cloud[cid], k) for k in (False, True)]
            mark = "escalated" if best[cid] < default_t else ""
            print(f"  {name:15s} local {lt[1]!s:24s} cloud {ct[1]!s:24s} {mark}")
            differs.append((best[cid] < default_t, lt[0] != ct[0], lt[1] != ct[1]))
        for k, level in ((1, "branch (Vehicles)"), (2, "specific tag (Vehicles/Rocket)")):
            esc = [d[k] for d in differs if d[0]]
            print(
                f"top {level} differs, cloud vs local: {sum(esc)}/{len(esc)} escalated photos, "
                f"{sum(d[k] for d in differs)}/{len(differs)} of all photos"
            )

        for cid in sorted((c for c in photos if best[c] < default_t), key=photos.get):
            scores = {t: a["score"] for t, a in local[cid].items()}
            lt, ct = top_tag(scores, True), top_tag(cloud[cid], True)
            was, now = scores.get(lt or "", 0.0), cloud[cid].get(ct or "", 0.0)
            print(
                f"  escalated {photos[cid]}: best local tag {best[cid]:.3f}; "
                f"{lt} {was:.3f} locally -> {ct} {now:.3f} in the cloud"
            )

        base = local_ms(sorted(SAMPLES.glob("*.jpg")), models)
        added = seconds / len(refined) * 1000
        kb = statistics.median(r.sent_bytes for r in refined) / 1024
        print(f"local-only baseline: {base:.1f} ms per photo (analysis on one thread)")
        print(
            f"added per escalated photo (loopback, the run over its {len(refined)} photos): "
            f"{added:.1f} ms, "
            f"{kb:.0f} KB sent = {added / base:.1f}x the local analysis"
        )
        if corpus_refined:
            base12 = local_ms(corpus[: min(len(corpus), 6)], models)
            added12 = corpus_seconds / len(corpus_refined) * 1000
            kb12 = statistics.median(r.sent_bytes for r in corpus_refined) / 1024
            print(
                f"12 MP JPEGs: local {base12:.1f} ms per photo; escalation adds {added12:.1f} ms "
                f"a photo, {kb12:.0f} KB sent = {added12 / base12:.1f}x"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
