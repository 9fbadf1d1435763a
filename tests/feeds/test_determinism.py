"""Same data, same bytes: no clock, no dependence on input order."""

from __future__ import annotations

import ast
import random
import time
from datetime import datetime
from pathlib import Path
from typing import NoReturn

import feedgen.entry  # type: ignore[import-untyped]
import feedgen.feed  # type: ignore[import-untyped]
import pytest

import feeds
import feeds._feedgen
import feeds._lint_episodes
from feeds import lint, render
from tests.feeds import samples
from tests.feeds.samples import NOW, one, parse

FEEDS_PACKAGE = Path(feeds.__file__).parent


def test_rendering_twice_gives_the_same_bytes() -> None:
    show, episodes = samples.show(), samples.episodes(20)
    assert render(show, episodes, now=NOW) == render(show, episodes, now=NOW)


@pytest.mark.parametrize("seed", range(5))
def test_input_order_does_not_matter(seed: int) -> None:
    show, episodes = samples.show(), samples.episodes(20)
    shuffled = list(episodes)
    random.Random(seed).shuffle(shuffled)
    assert render(show, shuffled, now=NOW) == render(show, episodes, now=NOW)


def test_a_later_now_with_nothing_newly_due_changes_nothing() -> None:
    show, episodes = samples.show(), samples.episodes(5)
    assert render(show, episodes, now=NOW) == render(show, episodes, now=NOW + 3600)


class _StoppedClock(datetime):
    """What feedgen's module sees as `datetime`: its clock reads a date far in the past."""

    @classmethod
    def now(cls, tz: object = None) -> _StoppedClock:
        return cls(2001, 2, 3, 4, 5, 6)


class _NoClock(_StoppedClock):
    """What our own modules see as `datetime`: reading the clock fails the test.

    A subclass of feedgen's stand-in, so that feedgen's isinstance checks accept our dates.
    """

    @classmethod
    def now(cls, tz: object = None) -> NoReturn:
        raise AssertionError("feeds read the clock")

    @classmethod
    def utcnow(cls) -> NoReturn:
        raise AssertionError("feeds read the clock")

    @classmethod
    def today(cls) -> NoReturn:
        raise AssertionError("feeds read the clock")


def _explode(*args: object) -> NoReturn:
    raise AssertionError("feeds read the clock")


def test_the_clock_is_never_read_nor_reaches_the_output(monkeypatch: pytest.MonkeyPatch) -> None:
    show, episodes = samples.show(), samples.episodes(5)
    expected = render(show, episodes, now=NOW)
    with monkeypatch.context() as patch:
        for name in ("time", "time_ns", "localtime", "gmtime", "ctime", "monotonic"):
            patch.setattr(time, name, _explode)
        patch.setattr(feeds._feedgen, "datetime", _NoClock)
        patch.setattr(feeds._lint_episodes, "datetime", _NoClock)
        # feedgen's constructors stamp Atom's `updated` and a default lastBuildDate with
        # the clock; the wrapper overwrites or drops them, so a stopped clock changes nothing.
        patch.setattr(feedgen.feed, "datetime", _StoppedClock)
        patch.setattr(feedgen.entry, "datetime", _StoppedClock)
        feed = render(show, episodes, now=NOW)
        lint(show, [*episodes, samples.episode(9, published=NOW + 60)], now=NOW)
    assert feed == expected
    assert b"2001" not in feed
    assert one(parse(feed), "//lastBuildDate").text == one(parse(expected), "//lastBuildDate").text


_CLOCK_CALLS = {"now", "utcnow", "today", "time", "time_ns", "monotonic", "perf_counter"}


def test_no_module_of_feeds_calls_the_clock() -> None:
    # The monkeypatched test above covers the paths it runs; this covers every line.
    calls = []
    for path in sorted(FEEDS_PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Call):
                function = node.func
                name = function.attr if isinstance(function, ast.Attribute) else None
                if isinstance(function, ast.Name):
                    name = function.id
                if name in _CLOCK_CALLS:
                    calls.append(f"{path.name}:{node.lineno} {name}()")
    assert calls == []
