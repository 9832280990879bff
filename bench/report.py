"""Percentiles and the side-by-side tables the benchmarks print."""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass

MIB = 1024 * 1024


def machine() -> str:
    """Cores and load: the figures only compare servers run on the same machine, same load."""
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return f"{os.cpu_count()} cores, load average {load}"


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """Nearest-rank percentile (fraction in 0..1) of `values`, None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float | None:
    return percentile(values, 0.5)


@dataclass(frozen=True)
class Row:
    """One figure: its label, how to print it, and whether a ratio to the reference means much."""

    label: str
    key: str
    digits: int = 1
    ratio: bool = True


def _cell(value: object, digits: int) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _ratio(value: object, reference: object) -> str:
    numbers = (int, float)
    if not isinstance(value, numbers) or not isinstance(reference, numbers) or not reference:
        return ""
    return f" ({value / reference:.2f}x)"


def table(title: str, rows: Sequence[Row], columns: Sequence[tuple[str, dict[str, object]]],
          reference: str | None) -> str:
    """Rows of figures, one column per server, with the ratio to the `reference` column."""
    ref = dict(columns).get(reference or "", {})
    head = [title, "=" * len(title)]
    cells = [["figure"] + [name for name, _ in columns]]
    for row in rows:
        line = [row.label]
        for name, figures in columns:
            value = figures.get(row.key)
            text = _cell(value, row.digits)
            if row.ratio and name != reference and ref:
                text += _ratio(value, ref.get(row.key))
            line.append(text)
        cells.append(line)
    widths = [max(len(line[i]) for line in cells) for i in range(len(cells[0]))]
    body = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(line)).rstrip()
            for line in cells]
    body.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(head + body)
