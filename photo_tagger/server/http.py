"""What every route of the cloud peer shares: the token check that gives a request its library
(`token_library`), and reading a request's body under a size limit (`read_body`)."""

# no `from __future__ import annotations`: FastAPI reads the dependency's annotations at run time
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from photo_tagger.server.storage import Storage
from photo_tagger.server.tokens import secret_matches, split_token

NO_MATCH = "0" * 64  # compared against when the token id is unknown, to take the same time

Library = Callable[..., Awaitable[str]]  # the dependency that authenticates a request's token


def token_library(storage: Storage) -> Library:
    """The dependency a route takes to need a library's token: it gives the token's library id,
    or answers 401 (a token only ever opens its own library)."""
    bearer = HTTPBearer(auto_error=False, description="A library's token")

    def authenticate(credentials: HTTPAuthorizationCredentials | None) -> str:
        library_id = token_opens(storage, credentials.credentials if credentials else None)
        if library_id is None:
            raise HTTPException(
                401,
                "A valid token for this library is needed (Authorization: Bearer TOKEN).",
                headers={"WWW-Authenticate": "Bearer"},
            )
        return library_id

    async def library(
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> str:
        return await run_in_threadpool(authenticate, credentials)

    return library


def token_opens(storage: Storage, token: str | None) -> str | None:
    """The library a token opens: None for no token, an unknown or revoked one, or a wrong
    secret (checked in the same time either way)."""
    parts = split_token(token) if token else None
    record = storage.token(parts[0]) if parts else None
    matches = parts is not None and secret_matches(
        parts[1], record.secret_hash if record else NO_MATCH
    )
    if record is None or record.revoked is not None or not matches:
        return None
    return record.library_id


async def read_body(request: Request, limit: int) -> bytes:
    """The body, refused with 413 as soon as it is known to exceed `limit` bytes (and with 400
    when its Content-Length is not a number)."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise HTTPException(400, "Content-Length is not a number.")
        if int(declared) > limit:
            raise HTTPException(413, f"The body is over the server's limit of {limit} bytes.")
    chunks = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HTTPException(413, f"The body is over the server's limit of {limit} bytes.")
        chunks.append(chunk)
    return b"".join(chunks)
