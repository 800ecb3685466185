"""Talking to servers on the user's behalf, only when the user asked for it.

- `escalation`: photos the local models are unsure of, sent (downscaled, stripped of metadata)
  to a bigger model on an Open Inference Protocol v2 endpoint, with a daily budget, health checks
  and failover; `escalation_settings` holds its per-library settings (no HTTP), `escalation_queue`
  what waits in the library, `escalation_photos` what is selected and sent and what is kept of an
  answer (plain functions), `inference_client` the protocol's client (batches split when refused,
  busy endpoints waited for as they ask).
- `model_updates`: signed model releases installed on this computer, checked (Ed25519 signature,
  sha256 and size of every file, the models load) before they are switched to atomically;
  `model_release` builds and signs a release on the publishing side (no HTTP, so the server can
  use it); `signing` holds the keys' code.

No Qt, no web server: the window and the command line call these through the application layer.
"""
