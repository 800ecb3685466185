"""Escalation to an OpenAI-compatible vision chat endpoint (what Ollama, LocalAI and vLLM serve),
end to end: real scans of the sample photos, `photo-tagger escalate --api openai-chat`, and a test
server that follows OpenAI's published chat completions API on 127.0.0.1 and checks what it is
sent (the model, the question with the library's tags, the photo as a JPEG data URL)."""

from __future__ import annotations

import base64
import io
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from photo_tagger.cli.main import main
from photo_tagger.cloud import escalation
from photo_tagger.cloud.chat_client import read_tags
from photo_tagger.cloud.inference_client import PhotoRefused
from photo_tagger.store.library import Library
from tests.harness import HeldPort, ThreadServer

MODEL = "llava"


class ChatAPI(BaseHTTPRequestHandler):
    """GET /v1/models and POST /v1/chat/completions, as OpenAI documents them."""

    content = '{"Animals/Cat": 0.9}'  # what the model says of every photo
    asked: list[dict[str, Any]] = []
    keys: list[str | None] = []

    def answer(self, status: int, value: dict[str, Any]) -> None:
        data = json.dumps(value).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802 (the http.server API)
        if self.path != "/v1/models":
            return self.answer(404, {"error": {"message": "not found"}})
        self.answer(200, {"object": "list", "data": [{"id": MODEL, "object": "model"}]})

    def do_POST(self) -> None:  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        ChatAPI.asked.append(body)
        ChatAPI.keys.append(self.headers.get("Authorization"))
        if self.path != "/v1/chat/completions" or body.get("model") != MODEL:
            return self.answer(404, {"error": {"message": "no such model"}})
        self.answer(
            200,
            {
                "id": "chatcmpl-1",
                "object": "chat.completion",
                "created": 1764700000,
                "model": MODEL,
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": ChatAPI.content},
                        "finish_reason": "stop",
                    }
                ],
            },
        )

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def chat_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), ChatAPI)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()
    ChatAPI.asked, ChatAPI.keys, ChatAPI.content = [], [], '{"Animals/Cat": 0.9}'


def escalate(library_dir: Path, *args: str) -> int:
    return main(["escalate", "--library", str(library_dir), *args])


def test_photos_go_to_a_chat_model_and_only_the_librarys_tags_come_back(
    library_dir: Path, chat_url: str
) -> None:
    # the model also names a tag the library does not have, and scores one past 1
    ChatAPI.content = '```json\n{"Animals/Cat": 0.9, "Wombat": 0.8, "Vehicles/Rocket": 7}\n```'
    code = escalate(
        library_dir,
        "--api",
        "openai-chat",
        "--endpoint",
        chat_url,
        "--model",
        MODEL,
        "--threshold",
        "0.7",
    )
    assert code == 0
    assert ChatAPI.asked and ChatAPI.keys[0] is None  # no key given: none sent
    question = ChatAPI.asked[0]
    assert question["model"] == MODEL and question["temperature"] == 0
    text, image = question["messages"][1]["content"]
    assert "Animals/Cat" in text["text"] and "People/Portrait" not in text["text"]
    url = image["image_url"]["url"]
    assert url.startswith("data:image/jpeg;base64,")
    Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))).verify()  # a real photo
    with Library.open(library_dir) as library:
        refined = [
            library.document.auto_tags(cid)
            for cid in library.document.photo_ids()
            if escalation.refined_in_cloud(library.document, cid)
        ]
    assert len(refined) == len(ChatAPI.asked)  # one question a photo
    for auto in refined:
        cloud = {t: a["score"] for t, a in auto.items() if a["source"] == "cloud"}
        assert cloud.get("Animals/Cat") == 0.9
        assert "Wombat" not in cloud and cloud.get("Vehicles/Rocket", 0.0) <= 1.0
        assert {a["model"] for a in auto.values() if a["source"] == "cloud"} == {"llava (chat)"}


def test_an_answer_that_is_not_the_json_asked_for_fails_that_photo_in_words(
    library_dir: Path, chat_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    ChatAPI.content = "This photo shows a cat sitting on a sofa."
    code = escalate(
        library_dir,
        "--api",
        "openai-chat",
        "--endpoint",
        chat_url,
        "--model",
        MODEL,
        "--threshold",
        "1",
    )
    out = capsys.readouterr().out
    assert "did not answer with the JSON object of tags asked for" in out
    assert len(ChatAPI.asked) > 1  # the endpoint was kept for the next photo
    assert "0 photos refined" in out and code != 0


@pytest.mark.parametrize(
    ("content", "tags"),
    [
        ('{"Animals/Cat": 0.5}', {"Animals/Cat": 0.5}),
        ('  ```\n{"A/B": 1}\n```  ', {"A/B": 1.0}),
        ('{"A/B": "high", "C/D": -1, "E/F": 0.2}', {"E/F": 0.2}),
    ],
)
def test_what_a_chat_model_says_is_read_strictly(content: str, tags: dict[str, float]) -> None:
    assert read_tags(content)[0] == tags


@pytest.mark.parametrize(
    "content",
    ["", "cat", '["Animals/Cat"]', 'Sure! {"Animals/Cat": 0.9}', None, 42, '{"a": 1} {"b": 2}'],
)
def test_anything_else_is_refused(content: object) -> None:
    with pytest.raises(PhotoRefused, match="JSON object of tags"):
        read_tags(content)


def test_a_chat_endpoint_needs_a_model_name(library_dir: Path) -> None:
    assert escalate(library_dir, "--api", "openai-chat", "--endpoint", "http://127.0.0.1:9/v1") == 2


def test_endpoints_of_different_kinds_take_over_from_each_other(
    library_dir: Path, chat_url: str, server: ThreadServer, server_data: tuple[Path, str]
) -> None:
    """A photo-tagger server that is down, then a chat model: the chat model refines; then the
    chat model down and the server up: the server does."""
    _, token = server_data
    down = HeldPort()  # nothing listens: refused at once
    chat = f"openai-chat+{chat_url}#{MODEL}"
    argv = ["--token", token, "--threshold", "1", "--budget", "2"]
    assert escalate(library_dir, "--endpoint", down.url, "--endpoint", chat, *argv) == 0
    assert len(ChatAPI.asked) == 2  # the budget: two photos, both to the chat model
    with Library.open(library_dir) as library:
        models = {
            a["model"]
            for cid in library.document.photo_ids()
            for a in library.document.auto_tags(cid).values()
            if a["source"] == "cloud"
        }
    assert models == {f"{MODEL} (chat)"}
    chat_down = f"openai-chat+{down.url}/v1#{MODEL}"
    argv[-1] = "4"  # two more today
    assert escalate(library_dir, "--endpoint", chat_down, "--endpoint", server.url, *argv) == 0
    assert len(ChatAPI.asked) == 2  # the chat model was not asked again
    assert any(r.path.endswith("/infer") for r in server.requests)  # the server was
    down.close()
