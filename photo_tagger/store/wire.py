"""The sync protocol on the wire: where it is served, and the Yjs sync messages' framing and state
vectors, as plain bytes in and out.

A message is varuint(message type) varuint(sync type) varuint(length) payload, as y-websocket and
pycrdt frame y-protocols' sync messages (message type 0, sync). A request may also come as
y-protocols' sync module writes it alone, varuint(sync type) varuint(length) payload, with no
message type: the server reads both and answers in the framing it was asked in. A state vector is
varuint(count) then count x (varuint(client), varuint(clock)). The decoders are strict (a
truncated or padded body is a ValueError), since the server reads bodies from the network. A
delete set (the tail of an update) is varuint(count) then count x (varuint(client),
varuint(ranges), ranges x (varuint(clock), varuint(length))).
Shared by the sync client (store/sync.py) and the cloud peer (server/); no HTTP library here.
"""

from __future__ import annotations

from pycrdt import get_update as update_diff

SYNC_PATH = "/v1/sync"  # POST: the request body, answered with the reply body
MEDIA_TYPE = "application/octet-stream"  # both ways
LIBRARY_HEADER = "Photo-Tagger-Library"  # on the reply: the server's id of the token's library

MESSAGE_SYNC = 0
STEP1, STEP2, UPDATE = 0, 1, 2  # state vector; reply to a state vector; an update


def write_varuint(num: int) -> bytes:
    out = bytearray()
    while num > 127:
        out.append(128 | (num & 127))
        num >>= 7
    out.append(num)
    return bytes(out)


def read_varuint(data: bytes, pos: int) -> tuple[int, int]:
    """(value, position after it)."""
    value = shift = 0
    while True:
        if pos >= len(data):
            raise ValueError("truncated number")
        if shift > 63:
            raise ValueError("number too long")
        byte = data[pos]
        pos += 1
        value |= (byte & 127) << shift
        shift += 7
        if byte < 128:
            return value, pos


def encode_message(sync_type: int, payload: bytes, framed: bool = True) -> bytes:
    head = bytes([MESSAGE_SYNC, sync_type]) if framed else bytes([sync_type])
    return head + write_varuint(len(payload)) + payload


def decode_messages(body: bytes, framed: bool = True) -> list[tuple[int, bytes]]:
    """(sync type, payload) of every message, each after a message type if `framed`; ValueError
    unless the body is exactly that."""
    out = []
    pos = 0
    while pos < len(body):
        if framed:
            kind, pos = read_varuint(body, pos)
            if kind != MESSAGE_SYNC:
                raise ValueError(f"message type {kind} is not a sync message")
        sync_type, pos = read_varuint(body, pos)
        if sync_type not in (STEP1, STEP2, UPDATE):
            raise ValueError(f"unknown sync message type {sync_type}")
        length, pos = read_varuint(body, pos)
        if length > len(body) - pos:
            raise ValueError("a message is longer than the body")
        out.append((sync_type, bytes(body[pos : pos + length])))
        pos += length
    return out


def is_framed(body: bytes) -> bool:
    """Whether a request carries a message type before each sync message. A request starts with
    SYNC_STEP1 (0) and a state vector of at least one byte: so its second byte is 0 (SYNC_STEP1
    after the message type) only when framed, and that byte's length otherwise."""
    return len(body) >= 2 and body[0] == MESSAGE_SYNC and body[1] == STEP1


def encode_request(state_vector: bytes, updates: list[bytes]) -> bytes:
    """The client's body: its state vector, then the updates the server may lack."""
    return encode_message(STEP1, state_vector) + b"".join(
        encode_message(UPDATE, u) for u in updates
    )


def decode_request(body: bytes, framed: bool = True) -> tuple[bytes, list[bytes]]:
    """(client state vector, updates); ValueError for anything else."""
    messages = decode_messages(body, framed)
    if not messages or messages[0][0] != STEP1:
        raise ValueError("the body must start with the client's state vector (SYNC_STEP1)")
    if any(kind == STEP1 for kind, _ in messages[1:]):
        raise ValueError("only one state vector per request")
    decode_state_vector(messages[0][1])
    return messages[0][1], [payload for _, payload in messages[1:]]


def encode_reply(update: bytes, state_vector: bytes | None, framed: bool = True) -> bytes:
    """The server's body: what the client lacks, then, only if the server lacks something the
    client has, the server's state vector (so that the client can send exactly that)."""
    reply = encode_message(STEP2, update, framed)
    if state_vector is None:
        return reply
    return reply + encode_message(STEP1, state_vector, framed)


def decode_reply(body: bytes) -> tuple[bytes, bytes | None]:
    """(update for the client, server state vector or None); ValueError for anything else."""
    messages = decode_messages(body)
    kinds = [kind for kind, _ in messages]
    if kinds not in ([STEP2], [STEP2, STEP1]):
        raise ValueError("expected SYNC_STEP2, then perhaps SYNC_STEP1")
    if len(messages) == 1:
        return messages[0][1], None
    decode_state_vector(messages[1][1])
    return messages[0][1], messages[1][1]


def decode_state_vector(state_vector: bytes) -> dict[int, int]:
    """client id -> clock (how many of that client's items the replica has)."""
    count, pos = read_varuint(state_vector, 0)
    clocks = {}
    for _ in range(count):
        client, pos = read_varuint(state_vector, pos)
        clocks[client], pos = read_varuint(state_vector, pos)
    if pos != len(state_vector):
        raise ValueError("trailing bytes after the state vector")
    return clocks


def lacks(have: bytes, other: bytes) -> bool:
    """Whether a replica with state vector `have` misses items one with `other` has."""
    theirs = decode_state_vector(have)
    return any(
        clock > theirs.get(client, 0) for client, clock in decode_state_vector(other).items()
    )


def has_waiting_parts(update: bytes, state_vector: bytes) -> bool:
    """Whether a replica with `state_vector`, having applied `update`, holds parts of it that wait
    for items it has not seen: items after a gap, or deletions of unknown items. pycrdt keeps such
    parts aside, outside the state vector and outside the updates it encodes, so whoever applied
    the update must keep its bytes until they can be placed."""
    rest = update_diff(update, state_vector)  # what the state vector does not cover
    clients, pos = read_varuint(rest, 0)
    if clients:
        return True
    clocks = decode_state_vector(state_vector)
    count, pos = read_varuint(rest, pos)
    for _ in range(count):
        client, pos = read_varuint(rest, pos)
        ranges, pos = read_varuint(rest, pos)
        for _ in range(ranges):
            clock, pos = read_varuint(rest, pos)
            length, pos = read_varuint(rest, pos)
            if clock + length > clocks.get(client, 0):
                return True
    return False
