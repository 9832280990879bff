"""Live editing: rooms of pycrdt documents served over the y-websocket protocol.

Nothing here imports Starlette or the storage layer: a room talks to a `Channel` and reaches
storage through `RoomHooks`, which the server wires.
"""

from .backends import Backends as Backends
from .backends import make_backends as make_backends
from .channel import Channel as Channel
from .channel import ConnectionClosed as ConnectionClosed
from .channel import Editor as Editor
from .errors import AccessDenied as AccessDenied
from .errors import CollabError as CollabError
from .errors import MessageTooLarge as MessageTooLarge
from .errors import ProtocolError as ProtocolError
from .errors import RoomBusy as RoomBusy
from .registry import ClaimConflict as ClaimConflict
from .registry import FrozenDraft as FrozenDraft
from .registry import RoomRegistry as RoomRegistry
from .room import Room as Room
from .room import RoomHooks as RoomHooks
from .room import RoomStatus as RoomStatus
