"""Memory and CPU of a server's process tree, read from /proc (Linux only)."""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")
TICKS = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may hold spaces; everything after its ')' is space separated.
    return raw[raw.rindex(")") + 2:].split()


def tree_pids(root: int) -> list[int]:
    """`root` and all its descendants alive now."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat_fields(int(entry.name))
            if fields is not None:
                children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def tree_rss(root: int) -> int:
    """Resident memory of the tree, in bytes."""
    total = 0
    for pid in tree_pids(root):
        try:
            resident = Path(f"/proc/{pid}/statm").read_text().split()[1]
        except (OSError, IndexError):
            continue
        total += int(resident) * PAGE
    return total


def tree_cpu(root: int) -> float:
    """User plus system CPU seconds used so far by the tree (and its reaped children)."""
    ticks = 0
    for pid in tree_pids(root):
        fields = _stat_fields(pid)
        if fields is not None:
            ticks += sum(int(value) for value in fields[11:15])
    return ticks / TICKS


@dataclass
class MemoryWatch:
    """Samples the tree's RSS every `interval` seconds until stopped: start, peak and end."""

    root: int
    interval: float = 0.25
    start: int = 0
    peak: int = 0
    end: int = 0

    async def run(self) -> None:
        self.start = self.peak = self.end = tree_rss(self.root)
        while True:
            await asyncio.sleep(self.interval)
            self.end = tree_rss(self.root)
            self.peak = max(self.peak, self.end)
