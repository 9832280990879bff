"""Fan-out under concurrent typing: N editors on M drafts, on Invoicer and three peer servers.

Each editor is a pycrdt client on a real WebSocket (see editor.py). Per scenario and server the
script starts the server on a free loopback port, lets the editors join, add a line each, type
at a fixed rate for a fixed time while moving their cursor in awareness, waits for the last
keystrokes to arrive, compares every editor's document with what was typed, stops the server,
and prints the figures side by side with the ratio to Invoicer. Run by hand:

    .venv/bin/python bench/fanout.py                # 10 and 50 editors on 1 and 5 drafts
    .venv/bin/python bench/fanout.py --editors 20 --drafts 2 --servers invoicer,hocuspocus
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from editor import Editor, Ledger
from launchers import SERVERS, Room, Server, ServerFailed
from proc import MemoryWatch, tree_cpu
from report import MIB, Row, machine, median, percentile, table
from wire import Refused

COLD_CLIENTS = 5
COLD_TIMEOUT = 5.0

ROWS = [
    Row("status", "status", ratio=False),
    Row(f"cold draft, {COLD_CLIENTS} open it at once: synced", "cold_synced", ratio=False),
    Row(f"cold draft, {COLD_CLIENTS} at once: slowest synced ms", "cold_max"),
    Row("join p50 ms (connect -> synced)", "join_p50"),
    Row("join max ms", "join_max"),
    Row("fan-out latency p50 ms", "p50"),
    Row("fan-out latency p99 ms", "p99"),
    Row("fan-out latency max ms", "max"),
    Row("keystrokes sent", "keystrokes", ratio=False),
    Row("updates delivered / s", "delivered_per_s"),
    Row("deliveries missing (of expected)", "missing", ratio=False),
    Row("editors whose document differs", "diverged", ratio=False),
    Row("characters lost (max over editors)", "chars_lost", ratio=False),
    Row("awareness msgs received / editor", "awareness_mean"),
    Row("connections closed by server", "closed", ratio=False),
    Row("updates refused by server", "refused", ratio=False),
    Row("server RSS at start MiB", "rss_start"),
    Row("server RSS peak MiB", "rss_peak"),
    Row("server RSS at end MiB", "rss_end"),
    Row("server CPU s", "server_cpu"),
    Row("client CPU % of one core", "client_cpu", digits=0, ratio=False),
]


@dataclass
class Scenario:
    editors: int
    drafts: int
    duration: float
    rate: float
    awareness_every: int
    join_timeout: float
    drain_timeout: float
    echo_awareness: bool

    @property
    def title(self) -> str:
        return (f"{self.editors} editors on {self.drafts} draft(s), {self.rate:g} keystrokes/s "
                f"each for {self.duration:g} s, cursor in awareness every "
                f"{self.awareness_every} keystrokes")


@dataclass
class Run:
    """What one server did in one scenario; figures are filled in even when it failed."""

    server: str
    phase: str = "start"
    status: str = "ok"
    editors: list[Editor] = field(default_factory=list)
    rooms: list[list[Editor]] = field(default_factory=list)
    ledger: Ledger = field(default_factory=Ledger)
    typing_started: float = 0.0
    figures: dict[str, object] = field(default_factory=dict)


async def drive(server: Server, scenario: Scenario, run: Run) -> None:
    """Join, add lines, type, drain and check; `run.phase` says how far it got."""
    run.phase = "creating drafts"
    rooms = await server.rooms(scenario.drafts + 1, f"bench-{random.randrange(1 << 30):x}")
    run.phase = "cold open"
    run.figures.update(await cold_open(rooms.pop(), COLD_CLIENTS, COLD_TIMEOUT))
    run.rooms = [[] for _ in rooms]
    for index in range(scenario.editors):
        room: Room = rooms[index % len(rooms)]
        editor = Editor(f"editor-{index}", room.url, room.framing, run.ledger,
                        echo_awareness=scenario.echo_awareness)
        run.editors.append(editor)
        run.rooms[index % len(rooms)].append(editor)

    run.phase = "join"
    # One editor first, then the others at once: the figures below are about fan-out, and
    # a cold room opened by many at once is measured on its own by `cold_open`.
    firsts = [members[0] for members in run.rooms]
    await _join(firsts, scenario.join_timeout)
    await _join([e for e in run.editors if e not in firsts], scenario.join_timeout)
    run.phase = "adding lines"
    for editor in run.editors:
        editor.add_line()
    await _until(lambda: all(len(editor.lines) == len(members)
                             for members in run.rooms for editor in members),
                 scenario.join_timeout, "every editor sees every line of its draft")
    for editor in run.editors:
        editor.watch_lines()

    run.phase = "typing"
    period = 1 / scenario.rate
    count = int(scenario.duration * scenario.rate)
    run.typing_started = time.perf_counter() + 0.2
    await asyncio.gather(*(
        editor.type_keys(run.typing_started + random.uniform(0, period), count, period,
                         scenario.awareness_every)
        for editor in run.editors))

    run.phase = "drain"
    expected = _expected(run)
    try:
        await _until(lambda: len(run.ledger.latencies) >= expected, scenario.drain_timeout,
                     "every keystroke delivered")
    except NotReached:
        pass  # reported as missing deliveries
    run.phase = "check"


async def cold_open(room: Room, clients: int, timeout: float) -> dict[str, object]:
    """Open a draft nobody has open from `clients` sockets at once: how many get synced."""
    editors = [Editor(f"cold-{index}", room.url, room.framing, Ledger())
               for index in range(clients)]
    await asyncio.gather(*(editor.join(timeout) for editor in editors), return_exceptions=True)
    await asyncio.gather(*(editor.leave() for editor in editors), return_exceptions=True)
    synced = [e.sync_seconds for e in editors if e.sync_seconds is not None]
    return {"cold_synced": len(synced),
            "cold_max": max(synced) * 1000 if synced else None}


async def _join(editors: list[Editor], timeout: float) -> None:
    results = await asyncio.gather(*(editor.join(timeout) for editor in editors),
                                   return_exceptions=True)
    failed = [result for result in results if isinstance(result, BaseException)]
    if failed:
        kinds = sorted({type(error).__name__ for error in failed})
        raise ServerFailed(f"{len(failed)}/{len(editors)} editors not synced within "
                           f"{timeout:g} s ({', '.join(kinds)}: {failed[0]!s:.80})")


class NotReached(Exception):
    """A phase's condition was not met within its own timeout."""


async def _until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise NotReached(f"not reached within {timeout:g} s: {what}")
        await asyncio.sleep(0.05)


def _expected(run: Run) -> int:
    return sum(editor.keystrokes * (len(members) - 1)
               for members in run.rooms for editor in members)


def _document_figures(run: Run) -> dict[str, object]:
    diverged = 0
    lost = 0
    for members in run.rooms:
        reference = {editor.line_id: editor.own_text() for editor in members}
        for editor in members:
            texts = editor.texts()
            if texts != reference:
                diverged += 1
            lost = max(lost, sum(max(0, len(text) - len(texts.get(line_id, "")))
                                 for line_id, text in reference.items()))
    return {"diverged": diverged, "chars_lost": lost}


def summarise(run: Run, scenario: Scenario) -> None:
    latencies = run.ledger.latencies
    figures = run.figures
    joins = [e.sync_seconds * 1000 for e in run.editors if e.sync_seconds is not None]
    figures["join_p50"] = percentile(joins, 0.5)
    figures["join_max"] = max(joins) if joins else None
    for key, fraction in (("p50", 0.5), ("p99", 0.99), ("max", 1.0)):
        value = percentile(latencies, fraction)
        figures[key] = None if value is None else value * 1000
    figures["keystrokes"] = sum(editor.keystrokes for editor in run.editors)
    span = run.ledger.last_receipt - run.typing_started
    figures["delivered_per_s"] = len(latencies) / span if latencies and span > 0 else None
    figures["missing"] = f"{_expected(run) - len(latencies)} of {_expected(run)}"
    if run.editors and run.phase in ("drain", "check"):
        figures.update(_document_figures(run))
    received = [editor.awareness_received for editor in run.editors]
    figures["awareness_mean"] = sum(received) / len(received) if received else None
    figures["closed"] = sum(editor.closed_by_server is not None for editor in run.editors)
    figures["refused"] = sum(editor.refusals for editor in run.editors)
    problems = []
    if isinstance(figures.get("cold_synced"), int) and figures["cold_synced"] < COLD_CLIENTS:
        problems.append(f"cold draft: {figures['cold_synced']} of {COLD_CLIENTS} synced")
    if _expected(run) - len(latencies) > 0:
        problems.append("lost updates")
    if figures.get("diverged"):
        problems.append("documents differ")
    if figures["closed"]:
        reasons = {e.closed_by_server for e in run.editors if e.closed_by_server}
        problems.append(f"closed ({', '.join(sorted(r for r in reasons if r))})")
    if run.status == "ok" and problems:
        run.status = "FAILED: " + "; ".join(problems)


async def run_one(server: Server, scenario: Scenario, hard_timeout: float) -> Run:
    run = Run(server.name)
    try:
        await server.start()
    except ServerFailed as error:
        run.status = f"FAILED to start: {error!s:.200}"
        return run
    watch = MemoryWatch(server.pid)
    watcher = asyncio.create_task(watch.run())
    cpu_before = tree_cpu(server.pid)
    client_before = time.process_time()
    wall_before = time.perf_counter()
    try:
        await asyncio.wait_for(drive(server, scenario, run), hard_timeout)
    except asyncio.TimeoutError:
        run.status = f"TIMEOUT after {hard_timeout:g} s in {run.phase}"
    except (ServerFailed, Refused, OSError, NotReached) as error:
        run.status = f"FAILED in {run.phase}: {error!s:.160}"
    client_cpu = time.process_time() - client_before
    wall = time.perf_counter() - wall_before
    summarise(run, scenario)
    run.figures["server_cpu"] = tree_cpu(server.pid) - cpu_before
    run.figures["client_cpu"] = 100 * client_cpu / wall if wall else None
    await asyncio.wait_for(
        asyncio.gather(*(editor.leave() for editor in run.editors), return_exceptions=True), 30)
    watcher.cancel()
    await server.stop()
    run.figures.update(rss_start=watch.start / MIB, rss_peak=watch.peak / MIB,
                       rss_end=watch.end / MIB)
    run.figures["status"] = run.status
    return run


def combine(runs: list[dict[str, object]]) -> dict[str, object]:
    """Median of each number over the runs; texts that differ are all shown."""
    combined: dict[str, object] = {}
    for key in runs[0]:
        values = [run.get(key) for run in runs]
        numbers = [v for v in values if isinstance(v, (int, float))]
        if numbers and len(numbers) == len(values):
            combined[key] = median(numbers)
        else:
            combined[key] = " | ".join(dict.fromkeys(str(v) for v in values))
    return combined


async def main(args: argparse.Namespace) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="invoicer-bench-"))
    servers: list[Server] = []
    for key in args.servers.split(","):
        server = SERVERS[key.strip()](workdir)
        try:
            await asyncio.wait_for(server.prepare(), 180)
        except (ServerFailed, asyncio.TimeoutError) as error:
            print(f"{server.name}: preparation failed, left out: {error!s:.300}")
            continue
        servers.append(server)
    names = ", ".join(server.name for server in servers)
    print(f"{machine()}; servers: {names}; logs under {workdir}\n")
    for editors in args.editors:
        for drafts in args.drafts:
            scenario = Scenario(editors, drafts, args.duration, args.rate, args.awareness_every,
                                args.join_timeout, args.drain_timeout, not args.no_echo)
            runs: dict[str, list[dict[str, object]]] = {server.name: [] for server in servers}
            # Repeats go round the servers, so that a busy moment of the machine is shared.
            for _ in range(args.repeats):
                for server in servers:
                    run = await run_one(server, scenario, args.hard_timeout)
                    runs[server.name].append(run.figures)
                    print(f"  [{editors} editors, {drafts} drafts] {server.name}: "
                          f"{run.status}", file=sys.stderr)
            columns = [(name, combine(figures)) for name, figures in runs.items()]
            reference = "Invoicer" if "Invoicer" in runs else None
            title = scenario.title + (f", median of {args.repeats} runs" if args.repeats > 1
                                      else "")
            print(table(title, ROWS, columns, reference), end="\n\n", flush=True)
    for server in servers:
        problems = server.log_problems()
        if problems:
            print(f"{server.name} log:\n  " + "\n  ".join(problems))
    return 0


def _numbers(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--editors", type=_numbers, default=[10, 50],
                        help="editors per scenario, comma separated (default 10,50)")
    parser.add_argument("--drafts", type=_numbers, default=[1, 5],
                        help="drafts the editors spread over (default 1,5)")
    parser.add_argument("--duration", type=float, default=8, help="typing time in s")
    parser.add_argument("--rate", type=float, default=2, help="keystrokes per s per editor")
    parser.add_argument("--awareness-every", type=int, default=4,
                        help="send the cursor in awareness every this many keystrokes")
    parser.add_argument("--servers", default=",".join(SERVERS),
                        help=f"comma separated, among {', '.join(SERVERS)}")
    parser.add_argument("--join-timeout", type=float, default=20)
    parser.add_argument("--drain-timeout", type=float, default=8,
                        help="how long to wait for the last keystrokes after typing")
    parser.add_argument("--hard-timeout", type=float, default=75,
                        help="abandon a server's scenario after this many s")
    parser.add_argument("--repeats", type=int, default=1,
                        help="runs per scenario and server; the table shows medians")
    parser.add_argument("--no-echo", action="store_true",
                        help="do not send received awareness back (browsers do)")
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse_args())))
