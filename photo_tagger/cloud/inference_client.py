"""A client of the Open Inference Protocol v2 over HTTP (the KServe / Triton REST API): health,
model metadata and inference, across several endpoints tried in order.

The same client talks to our own cloud peer (`photo-tagger serve`) or to an inference cluster that
speaks the protocol (Triton, KServe, Seldon MLServer) and serves a model with the same input and
output: one BYTES input "image" (photo files, base64), one BYTES output "tags" (JSON of
{tag: score} per photo). See photo_tagger/server/inference.py for the server's side.

Failover: `connect()` walks the endpoints in order and keeps the first whose
`GET /v2/health/ready` answers 200 and whose model metadata can be read. When a request to it then
fails (no connection, timeout, 5xx), that endpoint is dropped for the rest of the run and the next
one is tried; a refused photo (400, 413) is that photo's problem, not the endpoint's.

Busy: an endpoint whose inference slots are all taken answers 503 with Retry-After. It is asked
again after the time it gives (at least a second, and only when that is at most `MAX_BUSY_WAIT`
and within the request's deadline), `BUSY_RETRIES` times at most; then it is dropped as above.

Batches: an endpoint that declares `max_batch` for its input is sent that many photos a request
(one otherwise). `infer_parts` splits a batch the endpoint refuses (413: more pixels than it takes
a request, or 400 naming one photo) in halves and sends them again, down to single photos, so
that only a photo refused on its own is refused.
"""

from __future__ import annotations

import base64
import email.utils
import json
import math
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import requests

from photo_tagger.errors import EscalationOfflineError, EscalationRefusedError
from photo_tagger.store.http_limits import AnswerLimitError, HttpLimits, Reply, exchange
from photo_tagger.words import reason

INPUT, OUTPUT = "image", "tags"
CONNECT_TIMEOUT = 3.05  # seconds; a little over a TCP retransmission window
READ_TIMEOUT = 60.0
MAX_ANSWER = 1 << 20  # bytes: an answer for one photo is a few KB
DEADLINE = 180.0  # seconds for one request and its whole answer
BAD_ANSWER = (ValueError, KeyError, TypeError, StopIteration, AttributeError, RecursionError)
MAX_BATCH = 8  # photos a request at most, whatever an endpoint declares
BUSY_RETRIES = 3  # times a busy endpoint (503 with Retry-After) is asked again
MIN_BUSY_WAIT = 1.0  # seconds waited at least before asking a busy endpoint again
MAX_BUSY_WAIT = 30.0  # seconds: an endpoint busy for longer is not waited for


class PhotoRefused(Exception):
    """The endpoint would not tag this photo (400 or 413): its message says why."""


class EndpointFailed(Exception):
    """This endpoint cannot serve the model now; the next one may."""


@dataclass(frozen=True)
class ModelInfo:
    endpoint: str
    name: str
    version: str  # what tags are recorded as coming from
    tags: frozenset[str]  # every tag the model can score (empty when the endpoint does not say)
    max_batch: int = 1  # photos a request, as the endpoint declares (1 when it does not say)


@dataclass(frozen=True)
class Answer:
    endpoint: str
    version: str
    tags: list[dict[str, float]]  # per photo, in the order sent
    dropped: list[int]  # per photo, the tags left out for a score not a number in [0, 1]


class InferenceClient:
    """One model on the first healthy endpoint of `endpoints`. Not thread-safe."""

    def __init__(
        self,
        endpoints: Sequence[str],
        token: str,
        model: str,
        session: requests.Session,
        timeout: tuple[float, float] = (CONNECT_TIMEOUT, READ_TIMEOUT),
        *,
        max_answer: int = MAX_ANSWER,
        deadline: float = DEADLINE,
    ) -> None:
        self.endpoints = [e.rstrip("/") for e in endpoints]
        self.model = model
        self.session = session
        self.limits = HttpLimits(max_answer, deadline, *timeout)
        self.headers = {"Authorization": f"Bearer {token}"}
        self._dead: set[str] = set()
        self.current: ModelInfo | None = None
        self.problems: list[str] = []  # why endpoints were passed over, for the user

    def connect(self) -> ModelInfo:
        """The first endpoint, in order, that is ready and serves the model."""
        for endpoint in self.endpoints:
            if endpoint in self._dead:
                continue
            try:
                self.current = self._probe(endpoint)
                return self.current
            except EndpointFailed as exc:
                self._dead.add(endpoint)
                self.problems.append(f"{endpoint}: {exc}")
        self.current = None
        raise EscalationOfflineError(
            "No inference endpoint is reachable and ready ("
            + "; ".join(self.problems or ["none configured"])
            + "). The photos stay queued."
        )

    def infer(self, files: Sequence[bytes]) -> Answer:
        """Tag scores for each photo file, failing over to the next endpoint when one breaks."""
        body = {
            "id": uuid.uuid4().hex,  # optional in the protocol, but KServe's servers want one
            "inputs": [
                {
                    "name": INPUT,
                    "shape": [len(files)],
                    "datatype": "BYTES",
                    "parameters": {"content_type": "base64"},
                    "data": [base64.b64encode(f).decode("ascii") for f in files],
                }
            ],
            "outputs": [{"name": OUTPUT}],
        }
        while True:
            info = self.current or self.connect()
            try:
                return self._infer(info, body, len(files))
            except EndpointFailed as exc:
                self.fail_over(info, exc)

    def fail_over(self, info: ModelInfo, why: Exception) -> None:
        """Pass over this endpoint for the rest of the run, saying why; the next is tried."""
        self._dead.add(info.endpoint)
        self.problems.append(f"{info.endpoint}: {why}")
        self.current = None

    def infer_parts(self, files: Sequence[bytes]) -> Iterator[tuple[range, Answer | PhotoRefused]]:
        """The photos sent together, as `infer` sends them; a batch the endpoint refuses is split
        in halves and sent again, down to single photos. Yields, as each part comes back, the
        indices of `files` it holds and its answer, or the refusal of a single photo."""
        parts = [range(len(files))]
        while parts:
            part = parts.pop(0)
            try:
                yield part, self.infer([files[i] for i in part])
            except PhotoRefused as exc:
                if len(part) == 1:
                    yield part, exc
                else:
                    half = len(part) // 2
                    parts[:0] = [part[:half], part[half:]]

    # --- one endpoint ------------------------------------------------------------------------

    def _request(self, method: str, url: str, *, busy: bool = False, **kwargs: Any) -> Reply:
        """The endpoint's answer; EndpointFailed for one that says it cannot serve (a 503 with
        Retry-After is returned when `busy`: the caller may ask again)."""
        try:
            response = exchange(
                self.session, method, url, self.limits, headers=self.headers, **kwargs
            )
        except requests.RequestException as exc:
            raise EndpointFailed(f"not reachable: {reason(exc)}") from exc
        except AnswerLimitError as exc:
            raise EndpointFailed(f"{exc}; the next endpoint is tried") from None
        if response.status_code in (401, 403):
            raise EscalationRefusedError(
                f"The inference endpoint {url.split('/v2/')[0]} refused the token "
                f"({response.status_code}). Give the right one with "
                "`photo-tagger escalate --token TOKEN`."
            )
        if busy and response.status_code == 503 and _retry_after(response) is not None:
            return response
        if response.status_code >= 500 or response.status_code == 404:
            raise EndpointFailed(f"answered {response.status_code} {error_text(response)}")
        return response

    def post_when_free(self, url: str, body: dict[str, Any]) -> Reply:
        """POST; while the endpoint answers that every slot is busy, ask again after the time it
        gives, as long as that is at most MAX_BUSY_WAIT and within the deadline, BUSY_RETRIES
        times at most. Its last busy answer fails over like any other 503."""
        started, tries = time.monotonic(), 0
        while True:
            response = self._request("POST", url, busy=True, json=body)
            tries += 1
            wait = _retry_after(response) if response.status_code == 503 else None
            if wait is None:
                return response
            why = error_text(response)
            if tries > BUSY_RETRIES:
                raise EndpointFailed(f"was busy {tries} times in a row ({why})")
            if wait > MAX_BUSY_WAIT or time.monotonic() - started + wait > self.limits.deadline:
                raise EndpointFailed(f"is busy for {wait:.0f} seconds more ({why})")
            time.sleep(wait)

    def ready_metadata(self, endpoint: str) -> dict[str, Any]:
        """The model's metadata at `endpoint`, once the endpoint says it is ready."""
        ready = self._request("GET", f"{endpoint}/v2/health/ready")
        if ready.status_code != 200:
            raise EndpointFailed(f"not ready ({ready.status_code})")
        meta = self._request("GET", f"{endpoint}/v2/models/{self.model}")
        if meta.status_code != 200:
            raise EndpointFailed(f"model metadata answered {meta.status_code}")
        try:
            data = meta.json()
        except BAD_ANSWER:
            data = None
        if not isinstance(data, dict):
            raise EndpointFailed("answered model metadata that is not JSON")
        return data

    def model_version(self, data: dict[str, Any]) -> str:
        """The version the metadata names last (the model's name when it names none)."""
        versions = data.get("versions")
        listed = [str(v) for v in versions] if isinstance(versions, list) else []
        return (listed[-1] if listed else self.model)[:200]

    def _probe(self, endpoint: str) -> ModelInfo:
        data = self.ready_metadata(endpoint)
        try:
            params = data.get("parameters") or {}
            tags = frozenset(str(t) for t in params.get("tags") or [])
            max_batch = _max_batch(data.get("inputs"))
            version = self.model_version(data)
        except BAD_ANSWER:
            raise EndpointFailed("answered model metadata that is not JSON") from None
        return ModelInfo(endpoint, self.model, version, tags, max_batch)

    def post_inference(self, url: str, body: dict[str, Any]) -> Any:
        """The JSON answer to an inference request: PhotoRefused when the endpoint refuses the
        photos (400, 413, 422), EndpointFailed for anything but a 200 with JSON that answers
        this request (its `id`, when both give one)."""
        response = self.post_when_free(url, body)
        if response.status_code in (400, 413, 422):
            raise PhotoRefused(error_text(response))
        if response.status_code != 200:
            raise EndpointFailed(f"answered {response.status_code} {error_text(response)}")
        try:
            data = response.json()
        except BAD_ANSWER:
            raise EndpointFailed("answered something that is not an inference response") from None
        if isinstance(data, dict) and "id" in body and data.get("id", body["id"]) != body["id"]:
            raise EndpointFailed("answered another request than the one sent")
        return data

    def _infer(self, info: ModelInfo, body: dict[str, Any], count: int) -> Answer:
        data = self.post_inference(f"{info.endpoint}/v2/models/{self.model}/infer", body)
        try:
            output = next(o for o in data["outputs"] if o["name"] == OUTPUT)
            parsed = [tag_scores(json.loads(text)) for text in output["data"]]
            version = str(data.get("model_version") or info.version)[:200]
        except BAD_ANSWER:
            raise EndpointFailed("answered something that is not an inference response") from None
        if len(parsed) != count:
            raise EndpointFailed(f"answered {len(parsed)} results for {count} photos")
        return Answer(info.endpoint, version, [t for t, _ in parsed], [d for _, d in parsed])


def _max_batch(inputs: Any) -> int:
    """The photos a request the endpoint declares for its input (1 when it does not say)."""
    if not isinstance(inputs, list) or not inputs or not isinstance(inputs[0], dict):
        return 1
    declared = (inputs[0].get("parameters") or {}).get("max_batch")
    if not isinstance(declared, int) or isinstance(declared, bool):
        return 1
    return max(1, min(MAX_BATCH, declared))


def _retry_after(response: Reply) -> float | None:
    """The seconds a Retry-After header asks to wait (a number or an HTTP date; at least
    MIN_BUSY_WAIT), or None without one that can be read."""
    value = str(response.headers.get("Retry-After") or "").strip()[:64]
    if value.isdigit():
        seconds = float(value)
    else:
        try:
            seconds = email.utils.parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    return max(MIN_BUSY_WAIT, seconds)


def tag_scores(value: Any) -> tuple[dict[str, float], int]:
    """{tag: score} with every score a finite number in [0, 1], and how many were not."""
    if not isinstance(value, dict):
        raise TypeError("tags are not a JSON object")
    scores = {str(t): float(s) for t, s in value.items() if _is_score(s)}
    return scores, len(value) - len(scores)


def _is_score(value: Any) -> bool:
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    return number and math.isfinite(value) and 0.0 <= value <= 1.0


def error_text(response: Reply) -> str:
    try:
        data = response.json()
        return str(data.get("error") or data.get("detail") or "")[:200]
    except BAD_ANSWER:
        return response.text[:200]
