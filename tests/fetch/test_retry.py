"""Backoff with full jitter."""

from __future__ import annotations

import pytest

from podops.fetch import retry_delay


def test_ceiling_doubles_up_to_the_cap() -> None:
    ceilings = [retry_delay(n, base=1.0, cap=30.0, uniform=lambda: 1.0) for n in range(1, 8)]
    assert ceilings == [1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0]


def test_full_jitter_spans_zero_to_the_ceiling() -> None:
    assert retry_delay(3, uniform=lambda: 0.0) == 0.0
    delays = [retry_delay(4, base=2.0, cap=100.0) for _ in range(500)]
    assert all(0.0 <= delay <= 16.0 for delay in delays)
    assert max(delays) - min(delays) > 8.0  # spread out, not clustered


def test_huge_attempt_numbers_stay_at_the_cap() -> None:
    assert retry_delay(10_000, cap=60.0, uniform=lambda: 1.0) == 60.0


@pytest.mark.parametrize("attempt", [0, -1])
def test_attempts_count_from_one(attempt: int) -> None:
    with pytest.raises(ValueError, match="from 1"):
        retry_delay(attempt)
