"""How the HTTP benchmarks print podops beside a reference: one line a ratio, with its target.

A ratio is the median of its rounds' ratios, each round's podops figure over the reference's
measured beside it; every round's ratio is printed too, since on a shared machine the spread
shows the noise. A reference without a target is a floor: what no framework could beat.
"""

from __future__ import annotations

import os
import statistics
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Comparison:
    label: str
    reference: str
    unit: str  # of both figures: "req/s", "ep/s"
    ours: list[float]  # by round
    theirs: list[float]  # by round, the same rounds
    target: float | None  # the least ratio wanted; None for a floor

    @property
    def ratios(self) -> list[float]:
        return [a / b for a, b in zip(self.ours, self.theirs, strict=True)]

    @property
    def ratio(self) -> float:
        return statistics.median(self.ratios)

    @property
    def met(self) -> bool | None:
        return None if self.target is None else self.ratio >= self.target


def machine() -> str:
    """The machine and the moment a table was measured on, printed with it."""
    return f"{os.cpu_count()} cores, {datetime.now().astimezone():%Y-%m-%d %H:%M %Z}"


def print_table(title: str, comparisons: list[Comparison]) -> None:
    print(
        f"{title:<26}{'podops':>8}  {'reference':<28}{'':>8} {'unit':<6}{'ratio':>6}  "
        f"{'target':<7}{'met':<5}ratio by round"
    )
    for row in comparisons:
        target = "floor" if row.target is None else f"{row.target}x"
        met = {None: "-", True: "yes", False: "NO"}[row.met]
        print(
            f"{row.label:<26}{statistics.median(row.ours):>8.0f}  {row.reference:<28}"
            f"{statistics.median(row.theirs):>8.0f} {row.unit:<6}{row.ratio:>5.2f}x  "
            f"{target:<7}{met:<5}{' '.join(f'{ratio:.2f}' for ratio in row.ratios)}"
        )
