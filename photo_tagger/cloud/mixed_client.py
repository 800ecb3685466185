"""Endpoints of different kinds in one list, tried in order: a photo-tagger server, a stock
classifier on Triton or MLServer, a vision chat model on a LAN box. Each endpoint has a client of
its own kind (InferenceClient, ClassifierClient, ChatClient); this one walks them as
InferenceClient walks endpoints, the next taking over when one is down or breaks, and asks each
photo of the one that answers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import requests

from photo_tagger.cloud.inference_client import (
    Answer,
    EndpointFailed,
    InferenceClient,
    ModelInfo,
)
from photo_tagger.errors import EscalationOfflineError


class MixedClient(InferenceClient):
    """`clients` by endpoint URL, in the order of `endpoints`; each with that one endpoint."""

    def __init__(
        self,
        endpoints: Sequence[str],
        clients: Mapping[str, InferenceClient],
        session: requests.Session,
    ) -> None:
        super().__init__(endpoints, "", "", session)
        self.clients = {url.rstrip("/"): c for url, c in clients.items()}

    def _probe(self, endpoint: str) -> ModelInfo:
        client = self.clients[endpoint]
        try:
            return client.current or client.connect()
        except EscalationOfflineError as exc:
            raise EndpointFailed("; ".join(client.problems) or str(exc)) from None

    def infer(self, files: Sequence[bytes]) -> Answer:
        while True:
            info = self.current or self.connect()
            try:
                return self.clients[info.endpoint].infer(files)
            except EscalationOfflineError as exc:  # its one endpoint broke: the next one
                problems = self.clients[info.endpoint].problems
                self.fail_over(info, EndpointFailed(problems[-1] if problems else str(exc)))
