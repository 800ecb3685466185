"""The cloud peer: a small HTTP server that keeps each library's shared document and merges what
the devices send, without understanding tags (it merges Yjs updates, nothing more).

- `app.create_app(storage, limits, extensions)`: the FastAPI app (POST /v1/sync, GET /v1/library,
  /healthz; OpenAPI at /openapi.json and /docs); extensions add routes behind the same tokens.
- `replicas.Replicas`: the documents in memory, validated merges, compaction.
- `storage`: libraries, tokens and update rows in SQLite (default) or PostgreSQL.
- `tokens`: per-library bearer tokens, stored hashed.
- `run.serve(...)`: uvicorn, as `photo-tagger serve` runs it.

Imports FastAPI and uvicorn (the `server` extra); nothing outside this package imports it.
"""
