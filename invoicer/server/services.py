"""What the running application holds, on `app.state.services`."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import HTTPConnection

from ..collab import Backends, RoomRegistry
from ..storage import Database, Store
from .settings import Settings

__all__ = ["Services", "services_of"]


@dataclass
class Services:
    settings: Settings
    db: Database
    store: Store
    backends: Backends
    registry: RoomRegistry


def services_of(conn: HTTPConnection) -> Services:
    services: Services = conn.app.state.services
    return services
