"""Escalation to an OpenAI-compatible vision chat endpoint (Ollama, LocalAI, vLLM, llama.cpp's
server, or OpenAI itself): what many people already run on a LAN box.

The endpoint is the API's base URL, as OpenAI's own clients take it (`http://box:11434/v1` for
Ollama). `GET {base}/models` is its health check: it must answer and, when it lists models,
list the one asked for. Each photo goes alone as `POST {base}/chat/completions`: the photo as a
`data:image/jpeg;base64,...` image part, and the question which of the library's tags it shows,
with the list of them, the answer asked for as a JSON object {tag: confidence 0-1}
(`response_format: {"type": "json_object"}`, temperature 0). The answer is read strictly: the
message's content must be exactly such an object (one ```json fence around it is allowed, as
models like to add); anything else is that photo's failure, said in words, and the endpoint is
kept. Tags outside the library's vocabulary, scores that are not numbers in [0, 1] and more
than the escalation keeps a photo are dropped later, as for any endpoint (escalation.py).

Failover, busy endpoints (503 with Retry-After), deadlines and answer caps are InferenceClient's.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Collection, Sequence
from typing import Any

import requests

from photo_tagger.cloud.inference_client import (
    BAD_ANSWER,
    CONNECT_TIMEOUT,
    DEADLINE,
    MAX_ANSWER,
    READ_TIMEOUT,
    Answer,
    EndpointFailed,
    InferenceClient,
    ModelInfo,
    PhotoRefused,
    tag_scores,
)

MAX_TAGS_ASKED = 500  # tags listed in the question, at most
FENCE = re.compile(r"\A```(?:json)?\s*\n(.*)\n```\Z", re.DOTALL)
SYSTEM = (
    "You tag photos for a photo library. Answer with one JSON object and nothing else: each key "
    "is a tag from the list you are given that the photo clearly shows, each value your "
    "confidence from 0 to 1. Leave out every tag the photo does not show. Use only tags from the "
    "list, spelled exactly as given."
)


class ChatClient(InferenceClient):
    """One vision chat model on the first healthy endpoint of `endpoints`, asked about `tags`."""

    def __init__(
        self,
        endpoints: Sequence[str],
        token: str,
        model: str,
        session: requests.Session,
        tags: Sequence[str],
        timeout: tuple[float, float] = (CONNECT_TIMEOUT, READ_TIMEOUT),
        *,
        max_answer: int = MAX_ANSWER,
        deadline: float = DEADLINE,
    ) -> None:
        super().__init__(
            endpoints, token, model, session, timeout, max_answer=max_answer, deadline=deadline
        )
        self.tags = sorted(set(tags))[:MAX_TAGS_ASKED]
        if not token:  # a chat API on a LAN box often has no key
            self.headers = {}

    def _probe(self, endpoint: str) -> ModelInfo:
        listed = self._request("GET", f"{endpoint}/models")
        if listed.status_code != 200:
            raise EndpointFailed(f"its model list answered {listed.status_code}")
        try:
            data = listed.json().get("data")
            names = {str(m.get("id")) for m in data} if isinstance(data, list) else set()
        except BAD_ANSWER:
            raise EndpointFailed("answered a model list that is not JSON") from None
        if names and self.model not in names:
            raise EndpointFailed(
                f"has no model '{self.model}' (it has {', '.join(sorted(names)[:5])})"
            )
        return ModelInfo(endpoint, self.model, f"{self.model} (chat)"[:200], frozenset(), 1)

    def infer(self, files: Sequence[bytes]) -> Answer:
        """Tag scores for each photo file (asked one at a time), failing over as InferenceClient
        does."""
        answers = [self._ask(f) for f in files]
        return Answer(
            answers[0].endpoint if answers else "",
            answers[0].version if answers else self.model,
            [t for a in answers for t in a.tags],
            [d for a in answers for d in a.dropped],
        )

    def _ask(self, photo: bytes) -> Answer:
        body = self.question(photo)
        while True:
            info = self.current or self.connect()
            try:
                return self._answer(info, body)
            except EndpointFailed as exc:
                self.fail_over(info, exc)

    def question(self, photo: bytes) -> dict[str, Any]:
        image = "data:image/jpeg;base64," + base64.b64encode(photo).decode("ascii")
        ask = "Which of these tags does the photo show?\n" + "\n".join(self.tags)
        return {
            "model": self.model,
            "temperature": 0,
            "max_tokens": 400,
            "response_format": {"type": "json_object"},
            "messages": [
                {"role": "system", "content": SYSTEM},
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": ask},
                        {"type": "image_url", "image_url": {"url": image}},
                    ],
                },
            ],
        }

    def _answer(self, info: ModelInfo, body: dict[str, Any]) -> Answer:
        data = self.post_inference(f"{info.endpoint}/chat/completions", body)
        try:
            content = data["choices"][0]["message"]["content"]
        except BAD_ANSWER:
            raise EndpointFailed("answered something that is not a chat completion") from None
        tags, dropped = read_tags(content)
        return Answer(info.endpoint, info.version, [tags], [dropped])


def asked_tags(vocabulary: Collection[str]) -> list[str]:
    """The tags a chat model is asked about: the most specific ones of the vocabulary (a broad
    tag is said by its children), not the People tags, which the face detector gives."""
    names = set(vocabulary)
    broad = {t.rsplit("/", 1)[0] for t in names if "/" in t}
    return sorted(t for t in names - broad if t.split("/")[0] != "People")


def read_tags(content: Any) -> tuple[dict[str, float], int]:
    """The {tag: score} a model's message holds, and how many scores were not numbers in
    [0, 1]; PhotoRefused when it holds anything but one JSON object."""
    text = content.strip() if isinstance(content, str) else ""
    fenced = FENCE.match(text)
    if fenced:
        text = fenced.group(1).strip()
    try:
        return tag_scores(json.loads(text))
    except BAD_ANSWER:
        shown = text[:60] + ("..." if len(text) > 60 else "")
        raise PhotoRefused(
            f"the chat model did not answer with the JSON object of tags asked for ({shown!r})"
        ) from None
