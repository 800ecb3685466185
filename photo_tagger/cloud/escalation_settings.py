"""Escalation's settings, per library: whether photos the local model is unsure about go to a
cloud model, which endpoints and token, the threshold, the daily budget, the size of what is sent
and the model's name. Off by default. They live in the library's own settings table (this
computer's, like the sync server and token), never in the shared document; so does the model
version an endpoint last served (`LAST_VERSION`). No HTTP here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any

from photo_tagger.errors import EscalationNotConfiguredError
from photo_tagger.store.persistence import DocumentLog

DEFAULT_MODEL = "cloud_tagger"  # the model's name on the endpoints (our server's is this)

PREFIX = "escalation."
ENABLED, ENDPOINTS, TOKEN = PREFIX + "enabled", PREFIX + "endpoints", PREFIX + "token"
THRESHOLD, BUDGET, MAX_SIDE, MODEL = (
    PREFIX + "threshold",
    PREFIX + "daily_budget",
    PREFIX + "max_side",
    PREFIX + "model",
)
LAST_VERSION = PREFIX + "last_model_version"  # the model version an endpoint last served
API = PREFIX + "api"
# what the endpoints speak: the Open Inference Protocol v2 with a model that takes photo files and
# answers tags (photo-tagger serve's), or an OpenAI-compatible vision chat API
OIP, CLASSIFIER, CHAT = "oip", "oip-classifier", "openai-chat"
APIS = (OIP, CLASSIFIER, CHAT)
CLASSIFIER_SPEC = PREFIX + "classifier"  # a stock classifier's settings (classifier_client.py)


@dataclass(frozen=True)
class EscalationSettings:
    enabled: bool = False
    endpoints: tuple[str, ...] = ()
    token: str = ""
    threshold: float = 0.5  # photos whose best local tag scores under this are sent
    daily_budget: int = 100  # photos sent per day, at most
    max_side: int = 1024  # long side of what is sent, in pixels
    model: str = DEFAULT_MODEL
    api: str = OIP
    classifier: str = ""  # JSON of a stock classifier's settings, with --api oip-classifier

    @classmethod
    def of(cls, doc_log: DocumentLog) -> EscalationSettings:
        d = cls()
        endpoints = doc_log.setting(ENDPOINTS)
        return cls(
            enabled=bool(int(doc_log.setting(ENABLED) or 0)),
            endpoints=tuple(json.loads(str(endpoints))) if endpoints else (),
            token=str(doc_log.setting(TOKEN) or ""),
            threshold=float(doc_log.setting(THRESHOLD) or d.threshold),
            daily_budget=int(_or(doc_log.setting(BUDGET), d.daily_budget)),
            max_side=int(doc_log.setting(MAX_SIDE) or d.max_side),
            model=str(doc_log.setting(MODEL) or d.model),
            api=str(doc_log.setting(API) or d.api),
            classifier=str(doc_log.setting(CLASSIFIER_SPEC) or ""),
        )

    def save(self, doc_log: DocumentLog) -> None:
        doc_log.set_settings(
            {
                ENABLED: int(self.enabled),
                ENDPOINTS: json.dumps(list(self.endpoints)),
                TOKEN: self.token or None,
                THRESHOLD: self.threshold,
                BUDGET: self.daily_budget,
                MAX_SIDE: self.max_side,
                MODEL: self.model,
                API: self.api,
                CLASSIFIER_SPEC: self.classifier or None,
            }
        )


def _or(value: Any, default: Any) -> Any:
    return default if value is None else value


@dataclass(frozen=True)
class Endpoint:
    """One endpoint: its URL, what it speaks (APIS) and the model asked for there."""

    url: str
    api: str
    model: str


def endpoints_of(s: EscalationSettings) -> list[Endpoint]:
    """The endpoints, in order. One may name its kind and model, `KIND+URL#MODEL` (e.g.
    `openai-chat+http://box:11434/v1#llava`); one that does not has the settings' `api` and
    `model`."""
    out = []
    for text in s.endpoints:
        kind, plus, rest = text.partition("+")
        api, url = (kind, rest) if plus and kind in APIS else (s.api, text)
        url, _, model = url.partition("#")
        out.append(Endpoint(url.strip().rstrip("/"), api, model.strip() or s.model))
    return out


def check_settings(s: EscalationSettings) -> EscalationSettings:
    """The settings, cleaned, or EscalationNotConfiguredError saying what to fix."""
    s = replace(s, endpoints=tuple(e.strip().rstrip("/") for e in s.endpoints if e.strip()))
    if s.api not in APIS:
        raise EscalationNotConfiguredError(
            f"'{s.api}' is not an endpoint kind: give one of {', '.join(APIS)}."
        )
    endpoints = endpoints_of(s)
    for e in endpoints:
        if not e.url.startswith(("http://", "https://")) or len(e.url) < 10:
            raise EscalationNotConfiguredError(
                f"'{e.url}' is not an inference endpoint: give one like https://infer.example.org "
                "or http://192.168.1.20:8765 (or KIND+URL#MODEL, KIND one of "
                f"{', '.join(APIS)})."
            )
        if e.api == CHAT and e.model == DEFAULT_MODEL:
            raise EscalationNotConfiguredError(
                "Give the chat model's name with --model, or as openai-chat+URL#MODEL (e.g. "
                "llava, or qwen2.5vl:7b on Ollama)."
            )
    kinds = {e.api for e in endpoints} | {s.api}
    if CLASSIFIER in kinds:
        from photo_tagger.cloud.classifier_client import ClassifierSpec

        ClassifierSpec.from_json(s.classifier or "{}")  # says what is wrong with them
    if s.enabled and not endpoints:
        raise EscalationNotConfiguredError("Give at least one --endpoint URL.")
    if s.enabled and not s.token.strip() and any(e.api == OIP for e in endpoints):
        raise EscalationNotConfiguredError(
            "Give --token TOKEN (`photo-tagger server add-library` on the server prints one)."
        )
    if not 0.0 < s.threshold <= 1.0:
        raise EscalationNotConfiguredError(f"The threshold {s.threshold} is not in (0, 1].")
    if s.daily_budget < 0:
        raise EscalationNotConfiguredError("The daily budget cannot be negative.")
    if not 224 <= s.max_side <= 8192:
        raise EscalationNotConfiguredError(
            f"--max-side {s.max_side} is out of range: give 224 to 8192 pixels."
        )
    return replace(s, token=s.token.strip())


def enable(doc_log: DocumentLog, **changes: Any) -> EscalationSettings:
    """Turn escalation on with the remembered settings and `changes` (None: keep), and save."""
    given = {k: v for k, v in changes.items() if v is not None}
    if "endpoints" in given:
        given["endpoints"] = tuple(given["endpoints"])
    settings = check_settings(replace(EscalationSettings.of(doc_log), enabled=True, **given))
    settings.save(doc_log)
    return settings


def disable(doc_log: DocumentLog) -> EscalationSettings:
    """Turn escalation off; nothing is sent until it is turned on again (the queue is kept)."""
    settings = replace(EscalationSettings.of(doc_log), enabled=False)
    settings.save(doc_log)
    return settings
