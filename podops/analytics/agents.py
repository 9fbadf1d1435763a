"""Who asked for the media: a User-Agent classed with the OPAWG user-agents-v2 patterns.

The patterns (`data/`, vendored with their licence) are compiled once, on first use, in the
order their files prescribe: bots, apps, libraries, browsers — the first match wins — and,
for anything but a bot, devices for the platform. A bot, a library the patterns mark as a
bot (`"category": "bot"`), and a request without a User-Agent are not listening: the
counting leaves them out. A User-Agent nothing matches is a listener of an unknown app.

Classing one string runs a few hundred regular expressions; the same few hundred strings make
almost all of a podcast's traffic, so the answers are cached.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

UNKNOWN = "Unknown"
# Matched in this order; the first match wins (the patterns' own rule).
_AGENT_FILES = ("bots", "apps", "libraries", "browsers")
_CACHED_AGENTS = 4096
# Longer than any real User-Agent: only the start of a longer one is classed (and cached).
MAX_AGENT_CHARS = 512


@dataclass(frozen=True)
class Agent:
    """What the counting needs of a User-Agent: whether it listens, its app and platform."""

    listening: bool
    app: str
    platform: str


@dataclass(frozen=True)
class _Pattern:
    name: str
    source: str  # the file it came from
    regex: re.Pattern[str]
    category: str | None


def _load(name: str) -> list[_Pattern]:
    text = resources.files("podops.analytics").joinpath(f"data/{name}.json").read_text("utf-8")
    entries: list[dict[str, Any]] = json.loads(text)["entries"]
    return [
        _Pattern(entry["name"], name, re.compile(entry["pattern"]), entry.get("category"))
        for entry in entries
    ]


class AgentMatcher:
    """Classes User-Agent strings; build it once (`agent_matcher()`) and share it."""

    def __init__(self) -> None:
        self._agents = [pattern for name in _AGENT_FILES for pattern in _load(name)]
        self._devices = _load("devices")
        self.classify = functools.lru_cache(maxsize=_CACHED_AGENTS)(self._classify)

    def _classify(self, user_agent: str) -> Agent:
        if not user_agent.strip():
            return Agent(listening=False, app=UNKNOWN, platform=UNKNOWN)
        matched = next((p for p in self._agents if p.regex.search(user_agent)), None)
        if matched is not None and (matched.source == "bots" or matched.category == "bot"):
            return Agent(listening=False, app=matched.name, platform=UNKNOWN)
        device = next((p for p in self._devices if p.regex.search(user_agent)), None)
        return Agent(
            listening=True,
            app=matched.name if matched is not None else UNKNOWN,
            platform=device.name if device is not None else UNKNOWN,
        )


@functools.cache
def agent_matcher() -> AgentMatcher:
    """The process's matcher, its patterns compiled on first use."""
    return AgentMatcher()


def classify(user_agent: str) -> Agent:
    """The class of `user_agent` (only its first `MAX_AGENT_CHARS` characters are read)."""
    return agent_matcher().classify(user_agent[:MAX_AGENT_CHARS])
