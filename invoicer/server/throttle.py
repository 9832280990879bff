"""Sign-in throttling: repeated wrong passwords slow down whoever sends them.

Counted per email and per client address, in the process (a scaled-out deployment counts per
process, which still bounds guessing to a few attempts a minute per process).
"""

from __future__ import annotations

import time
from collections import defaultdict, deque

FREE_FAILURES = {"email": 5, "ip": 20}
WINDOW_S = 15 * 60
FIRST_LOCK_S = 30
LONGEST_LOCK_S = 15 * 60


class SignInThrottle:
    def __init__(self, clock=time.monotonic) -> None:
        self._clock = clock
        self._failures: dict[str, deque[float]] = defaultdict(deque)

    def retry_after(self, email: str, ip: str | None) -> int:
        """Seconds to wait before the next attempt may be checked (0: go ahead)."""
        now = self._clock()
        waits = [self._wait(kind, key, now) for kind, key in self._keys(email, ip)]
        return max(waits, default=0)

    def failed(self, email: str, ip: str | None) -> None:
        now = self._clock()
        for _, key in self._keys(email, ip):
            self._failures[key].append(now)

    def succeeded(self, email: str) -> None:
        self._failures.pop(f"email:{email.lower()}", None)

    def _keys(self, email: str, ip: str | None) -> list[tuple[str, str]]:
        keys = [("email", f"email:{email.lower()}")]
        if ip:
            keys.append(("ip", f"ip:{ip}"))
        return keys

    def _wait(self, kind: str, key: str, now: float) -> int:
        failures = self._failures.get(key)
        if not failures:
            return 0
        while failures and failures[0] < now - WINDOW_S:
            failures.popleft()
        excess = len(failures) - FREE_FAILURES[kind]
        if excess < 0:
            return 0
        lock = min(LONGEST_LOCK_S, FIRST_LOCK_S * 2 ** min(excess, 10))
        return max(0, int(failures[-1] + lock - now + 0.999))
