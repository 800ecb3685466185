"""The API's description, as /openapi.json serves it, is a valid OpenAPI document (checked with
openapi-spec-validator) and lists what each route really answers: 401 wherever a token is
needed, and no status the route never sends."""

from __future__ import annotations

import requests
from openapi_spec_validator import validate

from tests.harness import ThreadServer


def test_the_description_is_valid_and_lists_real_statuses(server: ThreadServer) -> None:
    spec = requests.get(server.url + "/openapi.json", timeout=10).json()
    validate(spec)
    routes = {
        (method, path): operation
        for path, operations in spec["paths"].items()
        for method, operation in operations.items()
    }
    assert ("post", "/v1/sync") in routes and ("get", "/v1/models/{name}") in routes
    for (method, path), operation in routes.items():
        statuses = set(operation["responses"])
        if operation.get("security"):
            assert "401" in statuses, (method, path)
        assert "422" not in statuses or path == "/v1/sync", (method, path)  # only sync sends it
    assert {"400", "401", "409", "413", "422", "503"} <= set(
        routes[("post", "/v1/sync")]["responses"]
    )
    assert set(routes[("get", "/v1/models/{name}")]["responses"]) == {"200", "401", "404"}
