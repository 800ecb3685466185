"""The cloud model's requests and answers under the Open Inference Protocol v2, without HTTP.

The request has one input, "image": BYTES, shape [n] (1 <= n <= MAX_BATCH), each element a photo
file (JPEG, PNG, WebP, TIFF, HEIC): base64 text in the JSON's "data" (as `"parameters":
{"content_type": "base64"}` declares), or the file's own bytes in the binary tensor data (server/
oip.py). The answer has one output, "tags": BYTES, shape [n], each element the JSON text of
{tag: score} for every tag scoring at least the floor, best first, in the JSON or (when asked) in
binary data after it; "model_version" names the model and the vocabulary that mapped its classes,
which is what the client records as the tags' model.
"""

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from fastapi.responses import JSONResponse, Response

from photo_tagger.server.oip import (
    Body,
    ProtocolError,
    binary_elements,
    binary_response,
    bytes_tensor,
    wants_binary,
)

MODEL_NAME = "cloud_tagger"  # also its key in models/manifest.json
INPUT, OUTPUT = "image", "tags"
MAX_BATCH = 8
MAX_IMAGE_BYTES = 10 << 20  # one photo; the app sends re-encodes of at most ~1-2 MB
FLOOR = 0.05  # tags under this score are left out of the answer


class InferenceRefused(Exception):
    """A request the protocol answers with {"error": message} and `status`."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers


@dataclass(frozen=True)
class InferRequest:
    id: str | None
    files: list[bytes]
    binary_output: bool = False  # the client asked for the tags as binary data


def parse_infer_request(body: Body) -> InferRequest:
    """The photo files of an inference request, or InferenceRefused saying what is wrong."""
    try:
        request = json.loads(body.json)
    except (UnicodeDecodeError, ValueError):
        raise InferenceRefused(400, "The body is not JSON (an inference request).") from None
    except RecursionError:
        raise InferenceRefused(
            400, "The body's JSON is nested too deeply to be an inference request."
        ) from None
    if not isinstance(request, dict) or not isinstance(request.get("inputs"), list):
        raise InferenceRefused(400, "An inference request needs an 'inputs' list.")
    inputs = request["inputs"]
    if len(inputs) != 1 or not isinstance(inputs[0], dict) or inputs[0].get("name") != INPUT:
        raise InferenceRefused(400, f"This model takes exactly one input, '{INPUT}'.")
    outputs = request.get("outputs")
    if outputs is not None and (
        not isinstance(outputs, list)
        or any(not isinstance(o, dict) or o.get("name") != OUTPUT for o in outputs)
    ):
        raise InferenceRefused(400, f"This model has one output, '{OUTPUT}'.")
    files = input_files(inputs[0], body.binary)
    request_id = request.get("id")
    return InferRequest(
        str(request_id) if request_id is not None else None,
        files,
        wants_binary(request, OUTPUT),
    )


def input_files(tensor: dict[str, Any], binary: bytes) -> list[bytes]:
    """The photo files of the input tensor: base64 strings in its "data", or raw files in the
    request's binary data (the binary tensor data extension)."""
    if tensor.get("datatype") != "BYTES":
        raise InferenceRefused(400, f"Input '{INPUT}' must have datatype BYTES.")
    shape = tensor.get("shape")
    if not isinstance(shape, list) or len(shape) != 1 or not isinstance(shape[0], int):
        raise InferenceRefused(400, f"Input '{INPUT}' needs 'shape': [n], n = number of photos.")
    if shape[0] > MAX_BATCH:
        raise InferenceRefused(413, f"At most {MAX_BATCH} photos per request.")
    if shape[0] < 1:
        raise InferenceRefused(400, f"Input '{INPUT}' needs 'shape': [n], n = number of photos.")
    params = tensor.get("parameters") or {}
    if not isinstance(params, dict):
        raise InferenceRefused(400, f"The parameters of input '{INPUT}' must be an object.")
    if "data" not in tensor:
        size = params.get("binary_data_size")
        if not isinstance(size, int) or size != len(binary):
            raise InferenceRefused(
                400,
                f"Input '{INPUT}' has no 'data' and its 'binary_data_size' is not the "
                f"{len(binary)} bytes of binary data after the JSON.",
            )
        try:
            files = binary_elements(binary, shape[0])
        except ProtocolError as exc:
            raise InferenceRefused(400, f"Input '{INPUT}': {exc}") from None
        for i, data in enumerate(files):
            if len(data) > MAX_IMAGE_BYTES:
                raise InferenceRefused(413, f"Element {i} is over {MAX_IMAGE_BYTES >> 20} MB.")
        return files
    if binary:
        raise InferenceRefused(400, "The request has binary data that no input takes.")
    data = tensor["data"]
    if not isinstance(data, list) or not all(isinstance(d, str) for d in data):
        raise InferenceRefused(400, f"Input '{INPUT}' needs 'data': a list of base64 strings.")
    if shape != [len(data)]:
        raise InferenceRefused(400, f"Input '{INPUT}' needs 'shape': [n], n = number of photos.")
    if params.get("content_type", "base64") != "base64":
        raise InferenceRefused(400, f"Input '{INPUT}' must be base64 (content_type 'base64').")
    files = []
    for i, text in enumerate(data):
        if len(text) > MAX_IMAGE_BYTES * 4 // 3 + 4:
            raise InferenceRefused(413, f"Element {i} is over {MAX_IMAGE_BYTES >> 20} MB.")
        try:
            files.append(base64.b64decode(text, validate=True))
        except (binascii.Error, ValueError):
            raise InferenceRefused(400, f"Element {i} of input '{INPUT}' is not base64.") from None
    return files


def infer_response(
    version: str, request_id: str | None, tags: list[dict[str, float]], binary: bool = False
) -> Response:
    """The answer: the tags of each photo as JSON text, in the JSON or, when the client asked
    for it, as binary data after it."""
    texts = [json.dumps(t) for t in tags]
    response: dict[str, Any] = {
        "model_name": MODEL_NAME,
        "model_version": version,
        "outputs": [{"name": OUTPUT, "shape": [len(tags)], "datatype": "BYTES", "data": texts}],
    }
    if request_id is not None:
        response["id"] = request_id
    if binary:
        return binary_response(response, {OUTPUT: bytes_tensor([t.encode() for t in texts])})
    return JSONResponse(response)


def model_metadata(version: str, tags: list[str]) -> dict[str, Any]:
    """What GET /v2/models/{name} answers: the model's one version, its tensors, and in
    "parameters" the tags it can give and the floor under which it leaves a tag out."""
    return {
        "name": MODEL_NAME,
        "versions": [version],
        "platform": "onnxruntime_onnx",
        "inputs": [
            {
                "name": INPUT,
                "datatype": "BYTES",
                "shape": [-1],
                "parameters": {"content_type": "base64", "max_batch": MAX_BATCH},
            }
        ],
        "outputs": [{"name": OUTPUT, "datatype": "BYTES", "shape": [-1]}],
        "parameters": {"tags": tags, "floor": FLOOR},
    }
