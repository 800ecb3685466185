"""Escalation end to end: real scans of the sample photos, the real server's app on 127.0.0.1
(noting every request it receives), `photo-tagger escalate` and the Escalator."""

from __future__ import annotations

import base64
import io
import json
import time
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from photo_tagger.cli.main import main
from photo_tagger.cloud import escalation
from photo_tagger.cloud.escalation import Escalator
from photo_tagger.cloud.escalation_queue import EscalationQueue
from photo_tagger.errors import EscalationRefusedError
from photo_tagger.server.storage import Storage
from photo_tagger.store.library import Library
from photo_tagger.words import count
from tests.cloud.conftest import GPS_PHOTO
from tests.cloud.test_hostile_endpoints import DEEP, endpoint, inference_response
from tests.harness import HeldPort, ProcessServer, ThreadServer
from tests.store.hostile_http import HostileServer

THRESHOLD = 0.7  # ~0.2 from the nearest sample photo on either side, whatever the CPU


# --- what the server received, what the library holds -------------------------------------------


def inferences(server: ThreadServer) -> list[dict[str, Any]]:
    """The bodies of the inference requests the server received."""
    return [json.loads(r.body) for r in server.requests if r.path.endswith("/infer")]


def photos_sent(server: ThreadServer) -> list[bytes]:
    """Every photo the server received for inference, in order."""
    return [base64.b64decode(d) for i in inferences(server) for d in i["inputs"][0]["data"]]


def best_local(library_dir: Path) -> dict[str, float]:
    """file name -> best local tag score, as the library holds them."""
    with Library.open(library_dir) as library:
        return {
            Path(library.index.paths_for(cid)[0]).name: escalation.best_local_score(
                library.document.auto_tags(cid)
            )
            for cid in library.document.photo_ids()
        }


def cloud_refined(library_dir: Path) -> dict[str, str]:
    """file name -> cloud model, for photos the cloud refined."""
    with Library.open(library_dir) as library:
        out = {}
        for cid in library.document.photo_ids():
            model = escalation.refined_in_cloud(library.document, cid)
            if model:
                out[Path(library.index.paths_for(cid)[0]).name] = model
        return out


def escalate(library_dir: Path, *args: str) -> int:
    return main(["escalate", "--library", str(library_dir), *args])


# --- tests ----------------------------------------------------------------------------------


def test_off_means_not_a_single_request(
    library_dir: Path, server: ThreadServer, server_data: tuple[Path, str]
) -> None:
    with Library.open(library_dir) as library:  # never turned on
        assert escalation.EscalationSettings.of(library.log).enabled is False
        assert Escalator(library).run().enabled is False
    assert escalate(library_dir) == 2  # says how to turn it on
    # turned on with everything set, then off again
    assert escalate(library_dir, "--on", "--budget", "0") == 2  # no endpoint yet: refused
    with Library.open(library_dir) as library:
        escalation.enable(library.log, endpoints=[server.url], token=server_data[1])
        escalation.disable(library.log)
        report = Escalator(library).run()
    assert report.enabled is False and report.refined == []
    assert escalate(library_dir, "--status") == 0
    assert escalate(library_dir) == 2
    assert server.requests == []


def test_unsure_photos_are_sent_and_confident_ones_are_not(
    library_dir: Path,
    server: ThreadServer,
    server_data: tuple[Path, str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    scores = best_local(library_dir)
    unsure = {name for name, best in scores.items() if best < THRESHOLD}
    assert GPS_PHOTO in unsure and {"coffee.jpg", "chelsea.jpg"}.isdisjoint(unsure)
    code = escalate(
        library_dir, "--endpoint", server.url, "--token", server_data[1], "--threshold", "0.7"
    )
    out = capsys.readouterr().out
    assert code == 0, out
    refined = cloud_refined(library_dir)
    assert set(refined) == unsure
    assert len(photos_sent(server)) == len(unsure)
    assert f"{count(len(unsure), 'photo')} refined in the cloud" in out
    assert f"refined: {library_dir.parent}" not in out  # paths printed are the photos'
    # what the library says about them
    with Library.open(library_dir) as library:
        for cid in library.document.photo_ids():
            name = Path(library.index.paths_for(cid)[0]).name
            auto = library.document.auto_tags(cid)
            sources = {a["source"] for a in auto.values()}
            assert ("cloud" in sources) == (name in unsure)
        rocket = next(
            c
            for c in library.document.photo_ids()
            if library.index.paths_for(c)[0].endswith(GPS_PHOTO)
        )
        auto = library.document.auto_tags(rocket)
        assert auto["Vehicles/Rocket"]["source"] == "cloud"
        assert auto["Vehicles/Rocket"]["model"].startswith("efficientnet-lite0-imagenet")
    # the next run sends nothing more: every unsure photo is done for this model
    before = len(server.requests)
    assert escalate(library_dir) == 0
    assert [p for p in server.paths[before:] if p.endswith("/infer")] == []


def test_what_leaves_is_small_pixels_without_exif_gps_or_xmp(
    library_dir: Path, server: ThreadServer, server_data: tuple[Path, str]
) -> None:
    with Library.open(library_dir) as library:
        escalation.enable(
            library.log,
            endpoints=[server.url],
            token=server_data[1],
            threshold=THRESHOLD,
            max_side=256,
        )
        report = Escalator(library).run()
        gps_file = next(r.path for r in report.refined if r.path.endswith(GPS_PHOTO))
    assert report.refined and not report.failed
    sent = photos_sent(server)
    assert len(sent) == len(report.refined)
    original = Path(gps_file).read_bytes()
    assert b"PrivateCam" in original and b"GPSLatitude" in original
    for data in sent:
        assert data != original
        assert b"Exif\x00\x00" not in data and b"PrivateCam" not in data
        assert b"http://ns.adobe.com/xap" not in data and b"GPS" not in data
        with Image.open(io.BytesIO(data)) as im:
            assert im.format == "JPEG"
            assert max(im.size) <= 256
            assert not im.getexif() and "exif" not in im.info and "xmp" not in im.info
            assert "icc_profile" not in im.info and "comment" not in im.info


def test_endpoint_down_then_up_queued_then_delivered_once(
    library_dir: Path,
    storage: Storage,
    server_data: tuple[Path, str],
    held_port: HeldPort,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = held_port.url
    args = ("--endpoint", url, "--token", server_data[1], "--threshold", "0.7")
    assert escalate(library_dir, *args) == 2  # nobody listens yet
    assert "stay queued" in capsys.readouterr().err
    with EscalationQueue.open(library_dir) as queue:
        queued = queue.counts()["waiting"]
    assert queued >= 1 and cloud_refined(library_dir) == {}
    # a restart of the app: the queue is on disk
    with ThreadServer(storage, server_data[0], port=held_port) as server:
        assert escalate(library_dir) == 0
        assert escalate(library_dir) == 0  # again: nothing is sent twice
        assert len(photos_sent(server)) == queued
    assert len(cloud_refined(library_dir)) == queued
    with EscalationQueue.open(library_dir) as queue:
        assert queue.counts() == {"waiting": 0, "failed": 0, "delivered": queued}


def test_failover_to_the_second_endpoint_when_the_first_is_dead(
    library_dir: Path, server_data: tuple[Path, str], held_port: HeldPort
) -> None:
    dead = held_port.url  # nothing listens there
    # the real `photo-tagger serve`, in its own process
    with ProcessServer(server_data[0]) as alive, Library.open(library_dir) as library:
        escalation.enable(
            library.log, endpoints=[dead, alive.url], token=server_data[1], threshold=THRESHOLD
        )
        report = Escalator(library).run()
    assert report.offline is None and report.endpoint == alive.url
    assert report.refined and {r.path.rsplit("/", 1)[1] for r in report.refined} == {
        n for n, b in best_local(library_dir).items() if b < THRESHOLD
    }


def test_cloud_tags_never_override_the_users(
    library_dir: Path, server: ThreadServer, server_data: tuple[Path, str]
) -> None:
    with Library.open(library_dir) as library:
        doc = library.document
        rocket = next(
            c for c in doc.photo_ids() if library.index.paths_for(c)[0].endswith(GPS_PHOTO)
        )
        doc.set_user_tag(rocket, "Vehicles/Rocket", False)  # the user says: not a rocket
        doc.set_user_tag(rocket, "Places/Launch Pad", True)
        escalation.enable(
            library.log, endpoints=[server.url], token=server_data[1], threshold=THRESHOLD
        )
        Escalator(library).run()
    with Library.open(library_dir) as library:
        doc = library.document
        assert doc.user_tags(rocket) == {"Vehicles/Rocket": False, "Places/Launch Pad": True}
        auto = doc.auto_tags(rocket)
        assert auto["Vehicles/Rocket"]["source"] == "cloud"
        assert auto["Vehicles/Rocket"]["score"] > 0.3
        shown = doc.effective_tags(rocket, lambda tag: 0.3)
        assert "Vehicles/Rocket" not in shown and shown["Places/Launch Pad"] == 1.0


def test_daily_budget_sends_the_least_sure_first(
    library_dir: Path, server: ThreadServer, server_data: tuple[Path, str]
) -> None:
    scores = best_local(library_dir)
    unsure = sorted((b, n) for n, b in scores.items() if b < 0.95)
    assert len(unsure) >= 2
    now = [time.time()]
    with Library.open(library_dir) as library:
        escalation.enable(library.log, endpoints=[server.url], token=server_data[1], threshold=0.95)
        escalation.enable(library.log, daily_budget=1)
        first = Escalator(library, clock=lambda: now[0]).run()
        again = Escalator(library, clock=lambda: now[0]).run()
        now[0] += 86_400  # a day later
        next_day = Escalator(library, clock=lambda: now[0]).run()
    assert [Path(r.path).name for r in first.refined] == [unsure[0][1]]
    assert first.budget_left == 0 and again.refined == [] and again.waiting == len(unsure) - 1
    assert [Path(r.path).name for r in next_day.refined] == [unsure[1][1]]
    assert len(inferences(server)) == 2


def test_a_wrong_token_is_refused_and_the_photos_stay_queued(
    library_dir: Path, server: ThreadServer
) -> None:
    with Library.open(library_dir) as library:
        escalation.enable(
            library.log, endpoints=[server.url], token="0" * 12 + "." + "0" * 64, threshold=0.7
        )
        with pytest.raises(EscalationRefusedError, match="refused the token"):
            Escalator(library).run()
    with EscalationQueue.open(library_dir) as queue:
        assert queue.counts()["waiting"] >= 1
    assert inferences(server) == []


# --- a hostile endpoint -----------------------------------------------------------------------


TOKEN = "0" * 12 + "." + "0" * 64


def hostile_tags(vocabulary: list[str]) -> dict[str, float]:
    """An answer of every kind of tag an endpoint should not be believed on, and the vocabulary's
    own tags (more than a photo keeps), for a photo."""
    tags = {"": 0.9, "x" * 100_000: 0.9, "Bad\x00Tag\n": 0.9, "a|b": 0.9, "People/Alice": 0.99}
    tags.update({f"Junk/{i}": 0.5 for i in range(200_000)})
    tags.update({tag: 0.2 + 0.7 * i / len(vocabulary) for i, tag in enumerate(vocabulary)})
    return tags


def test_tags_the_vocabulary_does_not_have_are_dropped_and_reported(library_dir: Path) -> None:
    vocabulary = sorted(escalation.models_vocabulary(library_dir) or ())
    assert len(vocabulary) > escalation.MAX_TAGS
    answer = hostile_tags(vocabulary)
    declared = list(answer)  # the endpoint claims it can give all of them
    route = endpoint(inference_response([json.dumps(answer)]), tags=declared)
    with HostileServer(route) as server, Library.open(library_dir) as library:
        escalation.enable(
            library.log, endpoints=[server.url], token=TOKEN, threshold=THRESHOLD, daily_budget=1
        )
        report = Escalator(library, max_answer=64 << 20).run()
        assert len(report.refined) == 1 and report.offline is None
        photo = report.refined[0].photo_id
        auto = library.document.auto_tags(photo)
    cloud = {tag: a["score"] for tag, a in auto.items() if a["source"] == "cloud"}
    assert set(cloud) <= set(vocabulary)
    assert len([s for s in cloud.values() if s > 0]) == escalation.MAX_TAGS
    assert all(0.0 <= s <= 1.0 for s in cloud.values())
    assert report.dropped == [(photo, len(answer) - escalation.MAX_TAGS)]


def test_an_answer_nested_without_end_fails_over_to_the_next_endpoint(
    library_dir: Path, server: ThreadServer, server_data: tuple[Path, str]
) -> None:
    bad_endpoint = HostileServer(endpoint(inference_response([DEEP])))
    with bad_endpoint as bad, Library.open(library_dir) as library:
        escalation.enable(
            library.log,
            endpoints=[bad.url, server.url],
            token=server_data[1],
            threshold=THRESHOLD,
            daily_budget=1,
        )
        report = Escalator(library, max_answer=4 << 20).run()
    assert len(report.refined) == 1 and report.offline is None and not report.failed
    assert [p for p in bad.paths if p.endswith("/infer")] and len(inferences(server)) == 1
