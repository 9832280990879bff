"""The database: one engine, SQLite under ./var/ by default or PostgreSQL.

Reads use `session()`; anything that writes uses `transaction()`, which commits at the end
of the block. On SQLite a write transaction starts with BEGIN IMMEDIATE: it takes the write
lock up front (waiting up to the busy timeout) instead of failing when a read transaction
tries to become a writer, and it serialises writers across processes, which is what makes
numbering safe there. On PostgreSQL, writers lock the rows they depend on (FOR UPDATE).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Column, event, inspect, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import URL, Engine, make_url
from sqlmodel import Session, SQLModel, create_engine

from . import models  # noqa: F401  (registers the tables on SQLModel.metadata)

__all__ = ["DEFAULT_URL", "Database", "normalise_url"]

log = logging.getLogger(__name__)

DEFAULT_URL = "sqlite:///./var/invoicer.db"
_WRITE = "invoicer_write"
_SCHEMA_LOCK = 0x1A7015  # any constant of our own, for the advisory lock of create_all


def normalise_url(url: str) -> str:
    """Accept the usual spellings of a PostgreSQL URL and use psycopg 3 for all of them."""
    for prefix in ("postgres://", "postgresql://", "postgresql+psycopg2://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


class Database:
    """An engine plus sessions; `Database()` opens ./var/invoicer.db."""

    def __init__(self, url: str | None = None, *, busy_timeout_ms: int = 30_000) -> None:
        self.url: URL = make_url(normalise_url(url or DEFAULT_URL))
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        if self.is_sqlite:
            self.engine = _sqlite_engine(self.url, busy_timeout_ms)
        elif self.url.get_backend_name() == "postgresql":
            self.engine = create_engine(
                self.url, pool_pre_ping=True, pool_size=10, max_overflow=20
            )
        else:
            raise ValueError(
                f"unsupported database URL {self.url.render_as_string()!r}: "
                "use sqlite:///path or postgresql://user@host/name"
            )

    def __repr__(self) -> str:
        return f"Database({self.url.render_as_string(hide_password=True)!r})"

    def create_all(self) -> None:
        """Create the tables that do not exist yet (safe with several processes at once)."""
        with self.engine.begin() as connection:
            if not self.is_sqlite:
                # Processes starting together would otherwise race to CREATE the same table.
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                                   {"key": _SCHEMA_LOCK})
            SQLModel.metadata.create_all(connection)
            _add_missing_columns(connection)

    def dispose(self) -> None:
        self.engine.dispose()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session for reading; objects stay usable after the block."""
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A write transaction, committed when the block ends, rolled back on error."""
        options = {_WRITE: True} if self.is_sqlite else None
        with Session(self.engine, expire_on_commit=False, execution_options=options) as session:
            with session.begin():
                yield session

    def insert_ignore(
        self,
        session: Session,
        model: type[SQLModel],
        values: Mapping[str, Any],
        conflict: Sequence[str],
    ) -> None:
        """INSERT the row unless one with the same `conflict` columns exists (no error)."""
        insert = sqlite_insert if self.is_sqlite else pg_insert
        statement = insert(model).values(**values).on_conflict_do_nothing(
            index_elements=list(conflict)
        )
        session.execute(statement)


def _add_missing_columns(connection: Any) -> None:
    """Add the columns a newer version declares to tables an older one created.

    `create_all` creates missing tables only. New columns are always added nullable or with
    their scalar default, so that rows written before them stay valid; anything more (a type
    change, a new constraint) needs a real migration.
    """
    inspector = inspect(connection)
    preparer = connection.dialect.identifier_preparer
    for table in SQLModel.metadata.sorted_tables:
        existing = {column["name"] for column in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name in existing:
                continue
            kind = column.type.compile(dialect=connection.dialect)
            connection.execute(text(
                f"ALTER TABLE {preparer.quote(table.name)} ADD COLUMN "
                f"{preparer.quote(column.name)} {kind}{_default_clause(column)}"
            ))
            log.info("added column %s.%s", table.name, column.name)


def _default_clause(column: Column[Any]) -> str:
    default = getattr(column.default, "arg", None)
    if column.nullable or isinstance(default, bool) or not isinstance(default, (str, int)):
        return ""
    literal = str(default) if isinstance(default, int) else "'" + default.replace("'", "''") + "'"
    return f" NOT NULL DEFAULT {literal}"


def _sqlite_engine(url: URL, busy_timeout_ms: int) -> Engine:
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": busy_timeout_ms / 1000},
        pool_size=10,
        max_overflow=20,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below emit BEGIN, not the sqlite3 module.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        # FULL: a committed update survives a power cut too; group commit pays for the fsync.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get(_WRITE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine
