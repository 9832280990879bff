"""Draft load time by history length: how long a cold draft takes to open once it has 100,
1,000 or 10,000 stored updates.

For each server variant the script writes one draft per history length through real editor
sockets (several writers at once, one update per keystroke), stops the server, then several
times: starts it again, opens a warm-up draft (not timed), and opens every draft once, timing
connect -> sync step 2 ("synced") and connect -> every stored character present ("complete").
A server that answers sync step 2 before it has loaded the draft shows a short "synced" and
a long "complete". Run by hand:

    .venv/bin/python bench/load_time.py
    .venv/bin/python bench/load_time.py --histories 100,1000 --repeats 3 --variants invoicer
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from editor import Editor, Ledger
from launchers import Invoicer, PycrdtWebsocket, Room, Server, ServerFailed, YWebsocket
from proc import tree_cpu
from report import Row, machine, median, table

WRITERS = 10
ROUND = 20
SETTLE_S = 0.5
NO_COMPACTION = str(10**9)


@dataclass(frozen=True)
class Variant:
    key: str
    label: str
    make: Callable[[Path], Server]


VARIANTS = {
    "invoicer": Variant("invoicer", "Invoicer", lambda work: Invoicer(work)),
    "invoicer-nocompact": Variant(
        "invoicer-nocompact", "Invoicer, compaction off",
        lambda work: Invoicer(work, {"INVOICER_COMPACT_AFTER": NO_COMPACTION},
                              label="Invoicer, compaction off")),
    "y-websocket": Variant(
        "y-websocket", "y-websocket + y-leveldb",
        lambda work: YWebsocket(work, persistence=work / "y-websocket" / "leveldb")),
    "pycrdt-websocket": Variant(
        "pycrdt-websocket", "pycrdt-websocket + SQLiteYStore",
        lambda work: PycrdtWebsocket(work, persistence=work / "pycrdt-ystore.db")),
}


@dataclass
class Draft:
    history: int
    room: Room
    lines: int = 0
    characters: int = 0
    write_seconds: float = 0.0
    synced: list[float] = field(default_factory=list)
    complete: list[float] = field(default_factory=list)
    incomplete: int = 0
    found: int = 10**9
    early_sync: int = 0
    stored: str = "-"


async def write_history(draft: Draft, writers: int, timeout: float, server_pid: int) -> None:
    """Send `draft.history` updates: one line per writer, then one keystroke per update."""
    observer = Editor("observer", draft.room.url, draft.room.framing, Ledger())
    editors = [Editor(f"writer-{i}", draft.room.url, draft.room.framing, observer.ledger)
               for i in range(writers)]
    started = time.perf_counter()
    try:
        for editor in [observer, *editors]:
            await editor.join(timeout)
        for editor in editors:
            editor.add_line()
        await _until(lambda: len(observer.lines) == writers, timeout, draft, observer, editors)
        for editor in editors:
            editor.watch_lines()
        keystrokes = draft.history - writers
        typed = 0
        while typed < keystrokes:
            # Rounds of a few keystrokes per writer, each round waiting for the observer: a
            # bounded number of updates in flight, as editors that type rather than flood.
            for editor in editors:
                share = min(ROUND, keystrokes - typed)
                editor.type_now(share)
                typed += share
            await _until(lambda: observer.characters() >= typed, timeout, draft, observer,
                         editors)
        draft.lines, draft.characters = writers, keystrokes
        draft.write_seconds = time.perf_counter() - started
        # Servers that store behind the relay (y-leveldb, SQLiteYStore) get until they idle,
        # editors still connected: pycrdt-websocket drops pending writes when a room empties.
        await settle(server_pid, timeout)
    finally:
        await asyncio.gather(*(e.leave() for e in [observer, *editors]), return_exceptions=True)


async def time_open(draft: Draft, timeout: float) -> None:
    """Open the draft once: record connect -> synced and connect -> complete, in ms."""
    reader = Editor("reader", draft.room.url, draft.room.framing, Ledger())
    try:
        await reader.join(timeout)
        assert reader.sync_seconds is not None
        if reader.characters() < draft.characters:
            draft.early_sync += 1
        deadline = reader.join_started + timeout
        while reader.characters() < draft.characters and time.perf_counter() < deadline:
            reader.changed.clear()
            try:
                await asyncio.wait_for(reader.changed.wait(), deadline - time.perf_counter())
            except asyncio.TimeoutError:
                break
        draft.synced.append(reader.sync_seconds * 1000)
        if reader.characters() >= draft.characters:
            draft.complete.append((time.perf_counter() - reader.join_started) * 1000)
        else:
            draft.incomplete += 1
            draft.found = min(draft.found, reader.characters())
    finally:
        await reader.leave()
    # The server may still work on the room just left (unload, deferred writes): let it settle
    # so that each open is timed alone.
    await asyncio.sleep(SETTLE_S)


async def settle(pid: int, timeout: float, quiet: float = 1.0) -> None:
    """Wait until the server's process tree used no CPU for `quiet` seconds."""
    deadline = time.monotonic() + timeout
    used = tree_cpu(pid)
    while time.monotonic() < deadline:
        await asyncio.sleep(quiet)
        now = tree_cpu(pid)
        if now - used < 0.02:
            return
        used = now


def stored_rows(server: Server, room: Room) -> str:
    """What the server's SQLite file holds for the draft (Invoicer, pycrdt-websocket)."""
    if isinstance(server, Invoicer):
        path, rows_sql, snap_sql = server.database, (
            "select count(*) from docupdate where invoice_id = ?"), (
            "select length(state) from docsnapshot where invoice_id = ?")
        key = room.name
    elif isinstance(server, PycrdtWebsocket) and server.persistence is not None:
        path, rows_sql, snap_sql = server.persistence, (
            "select count(*) from yupdates where path = ?"), (
            "select length(checkpoint) from ycheckpoints where path = ?")
        key = f"/{room.name}"
    else:
        return "-"
    try:
        with sqlite3.connect(path) as db:
            rows = db.execute(rows_sql, (key,)).fetchone()[0]
            snap = db.execute(snap_sql, (key,)).fetchone()
    except sqlite3.Error as error:
        return f"n/a ({error})"
    return f"{rows} log rows + {f'{snap[0]} B' if snap and snap[0] else 'no'} snapshot"


async def measure(variant: Variant, workdir: Path, args: argparse.Namespace) -> tuple[
        dict[str, object], list[str]]:
    server = variant.make(workdir)
    notes: list[str] = []
    await server.prepare()
    await server.start()
    try:
        rooms = await server.rooms(len(args.histories) + 1, f"load-{random.randrange(1 << 30):x}")
        # The warm-up draft has lines too: a server's first draft with content may pay one-time
        # costs (imports, caches) that belong to no history length.
        warmup = Draft(2 * args.writers, rooms.pop())
        drafts = [Draft(history, room) for history, room in zip(args.histories, rooms)]
        await write_history(warmup, args.writers, args.timeout, server.pid)
        for draft in drafts:
            await write_history(draft, args.writers, args.timeout, server.pid)
            print(f"  {server.name}: wrote {draft.history} updates in "
                  f"{draft.write_seconds:.1f} s", file=sys.stderr)
    finally:
        await server.stop()
    for draft in drafts:
        draft.stored = stored_rows(server, draft.room)
    for repeat in range(args.repeats):
        await server.start()
        try:
            await time_open(warmup, args.timeout)
            order = drafts[repeat % len(drafts):] + drafts[:repeat % len(drafts)]
            for draft in order:
                await time_open(draft, args.timeout)
        finally:
            await server.stop()
    notes.extend(server.log_problems())
    return figures_of(drafts), notes


def figures_of(drafts: list[Draft]) -> dict[str, object]:
    figures: dict[str, object] = {}
    for draft in drafts:
        h = draft.history
        figures[f"write{h}"] = draft.write_seconds
        figures[f"stored{h}"] = draft.stored
        figures[f"synced{h}"] = median(draft.synced)
        figures[f"complete{h}"] = median(draft.complete)
        figures[f"first{h}"] = draft.complete[0] if draft.complete else None
        flags = f"{draft.incomplete} incomplete"
        if draft.incomplete:
            flags += f" (down to {draft.found} of {draft.characters} chars)"
        figures[f"flags{h}"] = f"{flags}, {draft.early_sync} synced before complete"
    low, high = drafts[0], drafts[-1]
    if median(low.complete) and median(high.complete):
        figures["ratio"] = median(high.complete) / median(low.complete)
    return figures


def rows_for(histories: list[int]) -> list[Row]:
    rows = []
    for h in histories:
        rows += [
            Row(f"{h:>6} updates: open p50 ms (connect -> complete)", f"complete{h}"),
            Row(f"{h:>6} updates: synced p50 ms (connect -> step 2)", f"synced{h}"),
            Row(f"{h:>6} updates: first open after writing, ms", f"first{h}"),
            Row(f"{h:>6} updates: anomalies", f"flags{h}", ratio=False),
            Row(f"{h:>6} updates: stored as", f"stored{h}", ratio=False),
            Row(f"{h:>6} updates: write time s", f"write{h}", ratio=False),
        ]
    rows.append(Row(f"open p50 ratio {histories[-1]} vs {histories[0]} updates", "ratio",
                    digits=2))
    return rows


async def _until(condition: Callable[[], bool], timeout: float, draft: Draft,
                 observer: Editor, writers: list[Editor]) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            closed = sorted({f"{e.name}: {e.closed_by_server}" for e in [observer, *writers]
                             if e.closed_by_server})
            raise ServerFailed(
                f"writing {draft.history} updates: after {timeout:g} s the observer has "
                f"{len(observer.lines)} lines and {observer.characters()} characters; "
                f"refusals {sum(e.refusals for e in writers)}; closed: {closed or 'none'}")
        await asyncio.sleep(0.005)


async def main(args: argparse.Namespace) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="invoicer-load-"))
    print(f"{machine()}; logs under {workdir}\n")
    columns = []
    for key in args.variants.split(","):
        variant = VARIANTS[key.strip()]
        try:
            figures, notes = await asyncio.wait_for(measure(variant, workdir, args),
                                                    args.hard_timeout)
        except asyncio.TimeoutError:
            figures, notes = {}, [f"FAILED: not done within {args.hard_timeout:g} s"]
        except (ServerFailed, OSError) as error:
            figures, notes = {}, [f"FAILED: {error!s:.300}"]
        columns.append((variant.label, figures))
        for note in notes:
            print(f"{variant.label}: {note}")
    title = (f"Cold draft open by history length: median of {args.repeats} server restarts, "
             f"{args.writers} writers")
    print(table(title, rows_for(args.histories), columns, "Invoicer"))
    return 0


def _numbers(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--histories", type=_numbers, default=[100, 1000, 10000],
                        help="stored updates per draft, ascending (default 100,1000,10000)")
    parser.add_argument("--repeats", type=int, default=5, help="server restarts timed")
    parser.add_argument("--writers", type=int, default=WRITERS,
                        help="editors writing each history at once")
    parser.add_argument("--variants", default=",".join(VARIANTS),
                        help=f"comma separated, among {', '.join(VARIANTS)}")
    parser.add_argument("--timeout", type=float, default=30,
                        help="per phase (writing a draft, opening one), in s")
    parser.add_argument("--hard-timeout", type=float, default=150, help="per variant, in s")
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse_args())))
