"""Organisations, their members and the members' API tokens.

Tokens are stored as their SHA-256 only: a leaked table does not let anyone in. Passwords
arrive here already hashed (argon2, by the server), never in clear.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from .audit import record_event
from .db import Database
from .errors import Invalid, NotFound
from .models import ApiToken, Organization, User, utcnow

__all__ = [
    "create_organization",
    "create_token",
    "create_user",
    "get_organization",
    "hash_token",
    "list_organizations",
    "list_users",
    "organization_by_name",
    "set_password_hash",
    "user_by_email",
    "user_by_id",
    "user_by_token",
]

# Writing last_used_at on every request would make each API call a write.
_TOUCH_EVERY = timedelta(minutes=1)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_organization(db: Database, name: str, **details: Any) -> Organization:
    with db.transaction() as session:
        if session.exec(select(Organization).where(Organization.name == name)).first():
            raise Invalid("name", f"an organisation named {name!r} already exists")
        org = Organization(name=name, **details)
        session.add(org)
        record_event(session, org_id=org.id, user_id=None, action="org.create",
                     target=org.id, detail={"name": name})
    return org


def get_organization(db: Database, org_id: str) -> Organization | None:
    with db.session() as session:
        return session.get(Organization, org_id)


def organization_by_name(db: Database, name: str) -> Organization | None:
    with db.session() as session:
        return session.exec(select(Organization).where(Organization.name == name)).first()


def list_organizations(db: Database) -> list[Organization]:
    with db.session() as session:
        return list(session.exec(select(Organization).order_by(col(Organization.name))).all())


def create_user(
    db: Database,
    org_id: str,
    *,
    email: str,
    name: str,
    role: str,
    password_hash: str | None,
    language: str = "fr",
    colour: str = "#2563eb",
    created_by: str | None = None,
) -> User:
    """Add a member; the email is unique across organisations (it is the sign-in name)."""
    email = email.strip().lower()
    try:
        with db.transaction() as session:
            if session.get(Organization, org_id) is None:
                raise NotFound(f"organisation {org_id} does not exist")
            user = User(org_id=org_id, email=email, name=name, role=role,
                        password_hash=password_hash, language=language, colour=colour)
            session.add(user)
            record_event(session, org_id=org_id, user_id=created_by, action="user.create",
                         target=user.id, detail={"email": email, "role": role})
    except IntegrityError:
        raise Invalid("email", f"a user with the email {email} already exists") from None
    return user


def set_password_hash(db: Database, user_id: str, password_hash: str) -> None:
    with db.transaction() as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound(f"user {user_id} does not exist")
        user.password_hash = password_hash
        session.add(user)
        record_event(session, org_id=user.org_id, user_id=user.id, action="user.password",
                     target=user.id)


def user_by_id(db: Database, user_id: str) -> User | None:
    with db.session() as session:
        user = session.get(User, user_id)
    return user if user is not None and user.active else None


def user_by_email(db: Database, email: str) -> User | None:
    with db.session() as session:
        user = session.exec(select(User).where(User.email == email.strip().lower())).first()
    return user if user is not None and user.active else None


def list_users(db: Database, org_id: str) -> list[User]:
    with db.session() as session:
        statement = select(User).where(User.org_id == org_id).order_by(col(User.name))
        return list(session.exec(statement).all())


def create_token(db: Database, user_id: str, token: str, label: str = "") -> ApiToken:
    """Store a new token (hashed) for the user; the caller shows the token once."""
    with db.transaction() as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound(f"user {user_id} does not exist")
        row = ApiToken(user_id=user_id, token_hash=hash_token(token), label=label)
        session.add(row)
        record_event(session, org_id=user.org_id, user_id=user_id, action="token.create",
                     target=row.id, detail={"label": label})
    return row


def user_by_token(db: Database, token: str) -> User | None:
    """The active user owning `token`, or None; notes when the token was last used."""
    digest = hash_token(token)
    with db.session() as session:
        found = session.exec(
            select(ApiToken, User)
            .join(User, col(User.id) == col(ApiToken.user_id))
            .where(ApiToken.token_hash == digest)
        ).first()
    if found is None or not found[1].active:
        return None
    api_token, user = found
    now = utcnow()
    if api_token.last_used_at is None or now - api_token.last_used_at > _TOUCH_EVERY:
        with db.transaction() as session:
            row = session.get(ApiToken, api_token.id)
            if row is not None:
                row.last_used_at = now
                session.add(row)
    return user
