"""What the Open Inference Protocol v2 asks of every route under /v2, apart from the model:

- the binary tensor data extension (as Triton and KServe have it): a request whose JSON is
  followed by raw tensor bytes, its JSON's length in the `Inference-Header-Content-Length` header,
  each input that has no "data" taking `"parameters": {"binary_data_size": N}` bytes of them in
  order; an element of a BYTES tensor there is a 4-byte little-endian length and that many bytes.
  Outputs come back the same way when the request asks (`"binary_data_output": true` in its
  parameters, or `"binary_data": true` in an output's);
- errors as {"error": "..."}, for the routes' own refusals and for what the framework answers
  (an unknown route, a missing token, a wrong method), so that a stock client can read them;
- the OpenAPI description of the inference route: its body and every status it answers.
"""

# no `from __future__ import annotations`: FastAPI reads the handlers' annotations at run time
import json
import struct
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import (
    http_exception_handler,
    request_validation_exception_handler,
)
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

PREFIX = "/v2"
HEADER_LENGTH = "Inference-Header-Content-Length"
BINARY_EXTENSION = "binary_tensor_data"
LENGTH = struct.Struct("<I")


class ProtocolError(ValueError):
    """A request that does not follow the protocol's framing; the message says how."""


@dataclass(frozen=True)
class Body:
    """An inference request's JSON (parsed later, off the event loop) and its binary part."""

    json: bytes
    binary: bytes


def split_body(body: bytes, header_length: str | None) -> Body:
    """The JSON and the binary part of a request, as its `Inference-Header-Content-Length` says
    (absent: the whole body is JSON)."""
    if header_length is None:
        return Body(body, b"")
    if not header_length.isdigit() or not 0 < int(header_length) <= len(body):
        raise ProtocolError(
            f"{HEADER_LENGTH} must be the length of the request's JSON: a number from 1 to "
            f"the body's {len(body)} bytes."
        )
    n = int(header_length)
    return Body(body[:n], body[n:])


def binary_elements(data: bytes, count: int) -> list[bytes]:
    """The `count` elements of a BYTES tensor in the binary extension's encoding: each a 4-byte
    little-endian length and that many bytes, filling `data` exactly."""
    out: list[bytes] = []
    at = 0
    while at < len(data):
        if at + LENGTH.size > len(data):
            raise ProtocolError("A BYTES element's 4-byte length is cut short.")
        (size,) = LENGTH.unpack_from(data, at)
        at += LENGTH.size
        if at + size > len(data):
            raise ProtocolError("A BYTES element is longer than the binary data holds.")
        out.append(data[at : at + size])
        at += size
        if len(out) > count:
            break
    if len(out) != count:
        raise ProtocolError(
            f"The binary data holds {len(out)} elements where the shape says {count}."
        )
    return out


def bytes_tensor(elements: list[bytes]) -> bytes:
    """`elements` as a BYTES tensor in the binary extension's encoding."""
    return b"".join(LENGTH.pack(len(e)) + e for e in elements)


def wants_binary(request: dict[str, Any], output: str) -> bool:
    """Whether the request asks for `output` as binary data."""
    params = request.get("parameters")
    if isinstance(params, dict) and params.get("binary_data_output") is True:
        return True
    for o in request.get("outputs") or []:
        if isinstance(o, dict) and o.get("name") == output:
            p = o.get("parameters")
            return isinstance(p, dict) and p.get("binary_data") is True
    return False


def binary_response(response: dict[str, Any], data: dict[str, bytes]) -> Response:
    """`response` with the outputs named in `data` carried as binary data after its JSON."""
    for output in response["outputs"]:
        if output["name"] in data:
            output.pop("data", None)
            params = output.setdefault("parameters", {})
            params["binary_data_size"] = len(data[output["name"]])
    head = json.dumps(response).encode()
    tail = b"".join(data[o["name"]] for o in response["outputs"] if o["name"] in data)
    return Response(
        head + tail,
        media_type="application/octet-stream",
        headers={HEADER_LENGTH: str(len(head))},
    )


def protocol_errors(app: FastAPI) -> None:
    """Answer errors under /v2 as {"error": "..."}; elsewhere as the framework does. A request
    the framework finds invalid is a 400 there, so the API's description lists no 422 under /v2."""
    describe = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            for path, operations in describe()["paths"].items():
                if path.startswith(PREFIX):
                    for operation in operations.values():
                        operation.get("responses", {}).pop("422", None)
        return app.openapi_schema or {}

    app.openapi = openapi  # type: ignore[method-assign]

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if not request.url.path.startswith(PREFIX):
            return await http_exception_handler(request, exc)
        message = str(exc.detail)
        if exc.status_code in (404, 405) and message in ("Not Found", "Method Not Allowed"):
            message = (
                f"This server has no {request.method} {request.url.path}: see /docs for the "
                "routes it serves."
            )
        return JSONResponse(
            {"error": message},
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        if not request.url.path.startswith(PREFIX):
            return await request_validation_exception_handler(request, exc)
        where = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', '')}"
            for e in exc.errors()
        )
        return JSONResponse({"error": f"The request is not valid: {where}"}, status_code=400)


ERROR_SCHEMA = {
    "type": "object",
    "properties": {"error": {"type": "string"}},
    "required": ["error"],
}
TENSOR_SCHEMA = {
    "type": "object",
    "required": ["name", "shape", "datatype"],
    "properties": {
        "name": {"type": "string"},
        "shape": {"type": "array", "items": {"type": "integer"}},
        "datatype": {"type": "string"},
        "parameters": {"type": "object"},
        "data": {"type": "array"},
    },
}


def error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": ERROR_SCHEMA}}}


INFER_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": (
            "An inference request (JSON). With the binary tensor data extension, the JSON is "
            f"followed by the tensors' bytes and the {HEADER_LENGTH} header gives its length."
        ),
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["inputs"],
                    "properties": {
                        "id": {"type": "string"},
                        "parameters": {"type": "object"},
                        "inputs": {"type": "array", "items": TENSOR_SCHEMA},
                        "outputs": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "name": {"type": "string"},
                                    "parameters": {"type": "object"},
                                },
                            },
                        },
                    },
                }
            },
            "application/octet-stream": {
                "schema": {"type": "string", "format": "binary"},
            },
        },
    },
    "parameters": [
        {
            "name": HEADER_LENGTH,
            "in": "header",
            "required": False,
            "schema": {"type": "integer"},
            "description": "The length of the JSON when binary tensor data follows it.",
        }
    ],
}
INFER_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": (
            "The inference response (JSON; binary data after it, with the "
            f"{HEADER_LENGTH} header, when the request asked for binary outputs)."
        ),
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    },
    400: error("Not an inference request this model takes (the message says what is wrong)."),
    401: error("No valid token for a library of this server."),
    404: error("No such model, or no such version of it."),
    413: error("Over a limit: the body, a photo's bytes, or the pixels of the request's photos."),
    503: error("No model to serve, or every inference slot busy (then with Retry-After)."),
}
