"""The cloud peer: a small HTTP server that keeps each library's shared document and merges what
the devices send (Yjs updates), refusing values that no device's reads would take.

- `app.create_app(storage, limits, extensions)`: the FastAPI app (POST /v1/sync, GET /v1/library,
  /healthz; OpenAPI at /openapi.json and /docs); extensions add routes behind the same tokens.
- `http`: what every route shares: the token check that gives a request its library, and reading
  a body under a size limit.
- `inference.add_inference`: the cloud model under the Open Inference Protocol v2 (/v2/...);
  `infer_io`: its requests and answers; `oip`: what the protocol asks of every /v2 route (the
  binary tensor data extension, {"error"} bodies, the API page's description of inference).
- `ysocket.add_live_sync`: the same libraries over y-websocket (/v1/ws/{library}), for any Yjs
  client: pycrdt-websocket's rooms, each update stored through `Replicas` first.
- `registry.add_model_registry`: a signed model release, as `server publish-models` wrote it.
- `replicas.Replicas`: the documents in memory, validated merges (the values written checked with
  the readers' rules, store/doc_writes.py), compaction, dated snapshots (`snapshots`: when they
  are taken and how long kept); `restore`: putting one back as a new edit.
- `storage`: libraries, tokens and update rows in SQLite (default) or PostgreSQL; `database`: the
  connection pool, transactions and versioned schema under it.
- `tokens`: per-library bearer tokens, stored hashed.
- `run.serve(...)`: uvicorn, as `photo-tagger serve` runs it.

The sync protocol's bytes come from photo_tagger.store.wire, shared with the client; no HTTP client
is imported here. Imports FastAPI and uvicorn (the `server` extra), which nothing outside this
package imports.
"""
