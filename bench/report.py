"""What every benchmark prints: one ``figure:`` line per measurement, then ``N/M within budget``.

Imported as ``bench.report`` (each benchmark puts the repository root on ``sys.path``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

#: (name, value, unit, budget); a budget of None is a figure reported without one.
Figure = tuple[str, float, str, "float | None"]


def best(fn: Callable[[], object], repeat: int) -> float:
    """The fastest of ``repeat`` runs of ``fn``, in seconds (the least disturbed by the machine)."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def report(figures: Sequence[Figure], value_format: str = ".3f") -> int:
    """Print the figures and the count within budget; returns how many are over it."""
    within = budgeted = 0
    for name, value, unit, limit in figures:
        if limit is None:
            print(f"figure: {name} = {value:{value_format}} {unit} (reported)")
            continue
        budgeted += 1
        within += value <= limit
        print(f"figure: {name} = {value:{value_format}} {unit} (budget <= {limit:g})")
    print(f"{within}/{budgeted} within budget")
    return budgeted - within
