"""How each server frames the y-websocket messages on the socket.

y-websocket, pycrdt-websocket and Invoicer put one message per frame: a varuint type (0 sync,
1 awareness, 2 auth, 3 query awareness) and its payload. Hocuspocus multiplexes documents on
one socket: every frame starts with varString(document name), it wants an auth message before
anything else, answers sync step 1 with type 4 (sync reply) and acknowledges each update with
type 8 (sync status). A `Framing` turns both into the plain y-websocket shape, so the editor
code is the same for every server.
"""

from __future__ import annotations

from dataclasses import dataclass

from pycrdt import Decoder, read_message, write_var_uint

SYNC = 0
AWARENESS = 1
AUTH = 2
QUERY_AWARENESS = 3

# Hocuspocus message types (packages/server/src/types.ts) and auth sub-types (common/auth.ts).
HP_SYNC_REPLY = 4
HP_SYNC_STATUS = 8
HP_AUTH_TOKEN = 0
HP_AUTH_DENIED = 1


class Refused(Exception):
    """The server refused the connection (authentication or permission)."""


@dataclass(frozen=True)
class Message:
    """One plain y-websocket message: type, sync sub-type (sync only), payload, whole body."""

    type: int
    sync_type: int | None
    payload: bytes
    body: bytes


def var_string(text: str) -> bytes:
    raw = text.encode()
    return write_var_uint(len(raw)) + raw


def parse(body: bytes) -> Message:
    """Split a plain y-websocket message; unknown types keep their raw payload."""
    kind = body[0]
    if kind == SYNC:
        return Message(SYNC, body[1], read_message(body[2:]), body)
    if kind == AWARENESS:
        return Message(AWARENESS, None, read_message(body[1:]), body)
    return Message(kind, None, body[1:], body)


class Framing:
    """The y-websocket framing: a message is the frame."""

    def opening(self) -> list[bytes]:
        """Frames to send before sync step 1."""
        return []

    def wrap(self, body: bytes) -> bytes:
        return body

    def unwrap(self, frame: bytes) -> Message | None:
        """The message of a frame, or None for frames that carry nothing for an editor."""
        return parse(frame)


class HocuspocusFraming(Framing):
    """Document-name prefix on every frame, an auth handshake, and Hocuspocus's extra types."""

    def __init__(self, document: str, token: str = "bench") -> None:
        self.document = document
        self.token = token
        self._prefix = var_string(document)

    def opening(self) -> list[bytes]:
        auth = bytes([AUTH, HP_AUTH_TOKEN]) + var_string(self.token)
        return [self._prefix + auth]

    def wrap(self, body: bytes) -> bytes:
        return self._prefix + body

    def unwrap(self, frame: bytes) -> Message | None:
        decoder = Decoder(frame)
        decoder.read_var_string()
        body = frame[decoder.i0:]
        kind = body[0]
        if kind == HP_SYNC_REPLY:
            return parse(bytes([SYNC]) + body[1:])
        if kind == HP_SYNC_STATUS:
            return None
        if kind == AUTH:
            if body[1] == HP_AUTH_DENIED:
                raise Refused(Decoder(body[2:]).read_var_string())
            return None
        return parse(body)
