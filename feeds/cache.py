"""`ItemCache`: what one build keeps for the next, so that a rebuild redoes only what changed.

A build lints every episode and writes every `<item>`, while between two builds of a show one
episode, or none, has usually changed. Both results depend on the episode alone (lint's also
on whether the show is serial), so a cache keeps them per episode:

    cache = ItemCache()                       # one per worker process, kept between builds
    report = lint(show, episodes, now=now, cache=cache)
    if report.ok:
        feed = render(show, episodes, now=now, cache=cache)

The output is the same with or without a cache, byte for byte. An entry is found by the
episode's GUID and used only when the hash of the whole episode (every field, nested ones
included) is the one it was made from; otherwise it is made again and replaces the old one, so
an edited episode is never served stale. The hash is Python's `hash()` of the frozen
`Episode`: 64 bits, so two versions of one episode share a hash by accident with odds of one in
2**64 — and only for the life of one process, since string hashes are salted per process.

Each entry holds the item's bytes (the size it takes in the feed, about 3 KB for notes of a few
paragraphs) and lint's findings for the episode (usually none). When the entries take more than
`max_bytes`, the least recently used go. A show larger than the cache gains nothing from it:
size it for the largest show a worker builds.

`render` right after `lint` with the same episode objects (what the build pipeline does) need
not hash them again: lint's checks stand for the very objects it saw. To know them by id(),
the cache keeps them from that `lint` until the `render` (or, when none follows, until the
next call). One lock guards each call, so threads may share a cache; a `render` whose `lint`
was followed by another thread's simply checks its episodes itself.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import cast

from feeds._items import item_xml
from feeds._lint_episodes import CLEAN, EpisodeFindings, episode_findings
from feeds.model import Episode

__all__ = ["DEFAULT_MAX_BYTES", "ItemCache"]

DEFAULT_MAX_BYTES = 128 * 1024 * 1024
# What an entry costs beyond its item's bytes and findings' text: its objects and dict slot.
_ENTRY_BYTES = 300
_FINDING_BYTES = 150


class _Entry:
    """One episode's results, valid while the episode hashes to `fingerprint`."""

    __slots__ = ("build", "findings", "fingerprint", "guid", "item", "serial", "size")

    def __init__(self, guid: str, fingerprint: int) -> None:
        self.guid = guid
        self.fingerprint = fingerprint
        self.item: bytes | None = None
        self.findings: EpisodeFindings | None = None
        self.serial = False
        self.size = _ENTRY_BYTES
        self.build = 0  # the last build that used it: the least recent go first


class ItemCache:
    """Per-episode results of `render` and `lint`, kept from one build to the next.

    `hits` and `misses` count the items and lint results taken from the cache or made anew.
    """

    def __init__(self, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        if max_bytes < 0:
            raise ValueError(f"max_bytes must be 0 or more, not {max_bytes}")
        self.max_bytes = max_bytes
        self.hits = 0
        self.misses = 0
        self._entries: dict[str, _Entry] = {}
        self._size = 0
        self._lock = threading.Lock()
        # A build is `lint` then `render` on the same episode objects. What lint checked,
        # render need not hash again: it knows the very object by its id(), which cannot be
        # another object's while `_checked` keeps every object checked in this build alive.
        self._build = 0
        self._checked: list[Episode] = []
        self._verified: dict[int, _Entry] = {}

    def __len__(self) -> int:
        """How many episodes have an entry."""
        return len(self._entries)

    @property
    def nbytes(self) -> int:
        """About how much memory the entries take."""
        return self._size

    def clear(self) -> None:
        """Forget every entry."""
        with self._lock:
            self._entries.clear()
            self._size = 0
            self._end_build()

    def _problems(
        self, episodes: Sequence[Episode], *, serial: bool
    ) -> list[tuple[int, EpisodeFindings]]:
        """The index and own lint findings of each episode that has any, in order.

        Lint comes first in a build: it begins a new one.
        """
        problems: list[tuple[int, EpisodeFindings]] = []
        made = 0
        with self._lock:
            self._end_build()
            self._checked = list(episodes)
            get, verified, build = self._entries.get, self._verified, self._build
            for index, episode in enumerate(episodes):
                # What _entry does, written out: this loop runs for every episode of a show.
                try:
                    fingerprint = hash(episode)
                except TypeError:  # a list where the model says tuple: not cacheable
                    made += 1
                    findings = episode_findings(episode, serial=serial)
                else:
                    entry = get(episode.guid)
                    if entry is None or entry.fingerprint != fingerprint:
                        entry = self._new_entry(episode.guid, fingerprint)
                    entry.build = build
                    verified[id(episode)] = entry
                    cached = entry.findings
                    if cached is None or entry.serial is not serial:
                        made += 1
                        findings = episode_findings(episode, serial=serial)
                        self._keep_findings(entry, findings, serial)
                    else:
                        findings = cached
                if findings is not CLEAN:
                    problems.append((index, findings))
            self._count(len(episodes), made)
            self._evict()
        return problems

    def _items(self, episodes: Sequence[Episode]) -> list[bytes]:
        """Each episode's `<item>` bytes (as `_items.item_xml` writes them), in order.

        Render comes last in a build: it ends it, so the episodes are no longer kept.
        """
        with self._lock:
            # Most episodes were checked by lint in this build (the same object, so the same
            # content) and have their item already: found in passes that run in C.
            found = list(map(self._verified.get, map(id, episodes)))
            items = [None if entry is None else entry.item for entry in found]
            made = 0
            if None in items:
                for index, item in enumerate(items):
                    if item is None:
                        items[index], new = self._item(episodes[index], found[index])
                        made += new
            self._count(len(items), made)
            self._evict()
            self._end_build()
        return cast("list[bytes]", items)  # every None was replaced above

    def _item(self, episode: Episode, entry: _Entry | None) -> tuple[bytes, bool]:
        """The episode's item, and whether it was made now (else its entry had it)."""
        entry = entry or self._entry(episode)
        if entry is None:  # not cacheable
            return item_xml(episode), True
        if entry.item is not None:
            return entry.item, False
        item = entry.item = item_xml(episode)
        self._grow(entry, len(item))
        return item, True

    def _entry(self, episode: Episode) -> _Entry | None:
        """The episode's entry, made empty when it is new or changed; None if unhashable."""
        try:
            fingerprint = hash(episode)
        except TypeError:  # a list where the model says tuple: correct, but not cacheable
            return None
        entry = self._entries.get(episode.guid)
        if entry is None or entry.fingerprint != fingerprint:
            entry = self._new_entry(episode.guid, fingerprint)
        entry.build = self._build
        return entry

    def _new_entry(self, guid: str, fingerprint: int) -> _Entry:
        """An empty entry for `guid`, in place of the one made from an older version."""
        old = self._entries.pop(guid, None)
        if old is not None:
            self._size -= old.size
        entry = self._entries[guid] = _Entry(guid, fingerprint)
        self._size += entry.size
        return entry

    def _keep_findings(self, entry: _Entry, findings: EpisodeFindings, serial: bool) -> None:
        if entry.findings is not None:
            self._grow(entry, -_findings_size(entry.findings))
        entry.findings, entry.serial = findings, serial
        self._grow(entry, _findings_size(findings))

    def _grow(self, entry: _Entry, size: int) -> None:
        entry.size += size
        # An entry replaced or dropped during this build (two episodes sharing a GUID, or a
        # small cache) still serves the episode it was made from, but is no longer counted.
        if self._entries.get(entry.guid) is entry:
            self._size += size

    def _count(self, used: int, made: int) -> None:
        self.hits += used - made
        self.misses += made

    def _end_build(self) -> None:
        self._build += 1
        self._checked = []
        self._verified = {}

    def _evict(self) -> None:
        """Drop the entries least recently used until the rest fit in `max_bytes`."""
        if self._size <= self.max_bytes:
            return
        entries = self._entries
        for guid in sorted(entries, key=lambda guid: entries[guid].build):
            self._size -= entries.pop(guid).size
            if self._size <= self.max_bytes:
                break


def _findings_size(findings: EpisodeFindings) -> int:
    return sum(
        _FINDING_BYTES + len(finding.message) + len(finding.path)
        for finding in (*findings.errors, *findings.warnings)
    )
