"""Audit events: who did what, to what, when and from where."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from .db import Database
from .models import AuditEvent

__all__ = ["list_events", "record_event"]


def record_event(
    session: Session,
    *,
    org_id: str | None,
    user_id: str | None,
    action: str,
    target: str | None = None,
    detail: dict[str, Any] | None = None,
    ip: str | None = None,
) -> AuditEvent:
    """Add the event to the caller's transaction, so it commits with the change it records."""
    event = AuditEvent(
        org_id=org_id, user_id=user_id, action=action, target=target,
        detail=detail or {}, ip=ip,
    )
    session.add(event)
    return event


def list_events(db: Database, org_id: str, *, limit: int = 100) -> list[AuditEvent]:
    """The organisation's latest events, newest first."""
    with db.session() as session:
        statement = (
            select(AuditEvent)
            .where(AuditEvent.org_id == org_id)
            .order_by(col(AuditEvent.id).desc())
            .limit(limit)
        )
        return list(session.exec(statement).all())
