"""Errors raised by live editing, each mapped to one WebSocket close code.

    CollabError
    ├── ProtocolError      malformed frame: 4400
    ├── MessageTooLarge    frame over the configured limit: 4413
    ├── AccessDenied       the editor may not do this: 4403
    │   └── UpdateRefused  one update touched what the editor may not change
    ├── RoomBusy           another finalisation holds the invoice lock
    └── RoomUnavailable    the room could not be loaded
"""

from __future__ import annotations

__all__ = [
    "AccessDenied",
    "CollabError",
    "MessageTooLarge",
    "ProtocolError",
    "RoomBusy",
    "RoomUnavailable",
    "UpdateRefused",
]


class CollabError(Exception):
    """Base class: `close_code` is what the connection is closed with."""

    close_code = 1011


class ProtocolError(CollabError):
    close_code = 4400


class MessageTooLarge(CollabError):
    close_code = 4413


class AccessDenied(CollabError):
    close_code = 4403


class UpdateRefused(AccessDenied):
    """An update was refused; it was neither applied nor relayed."""


class RoomBusy(CollabError):
    close_code = 1013


class RoomUnavailable(CollabError):
    close_code = 1011
