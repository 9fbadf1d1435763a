"""`lint`: the gate before a publish — Apple Podcasts, Podcast Standards Project and Podcast
Index rules, checked on the model rather than on the XML, so each finding names the field.

Errors stop a publish (the previous feed stays up); warnings are reported with the build.
The rules are in `_lint_show` (the channel) and `_lint_episodes` (the items); `Code` lists
them. Lint runs before every build: given the `ItemCache` that `render` uses, it checks again
only the episodes that changed since the last build (see `feeds.cache`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from feeds._findings import Code, Finding, Findings
from feeds._lint_episodes import CLEAN, episode_findings, lint_episodes
from feeds._lint_show import lint_show
from feeds.cache import ItemCache
from feeds.model import Episode, Show, ShowType

__all__ = ["Code", "Finding", "LintReport", "lint", "lint_each"]


@dataclass(frozen=True, slots=True)
class LintReport:
    """Everything `lint` found: errors first stop a publish, warnings only inform."""

    errors: tuple[Finding, ...]
    warnings: tuple[Finding, ...]

    @property
    def ok(self) -> bool:
        """True when nothing stops the publish."""
        return not self.errors


def lint(
    show: Show, episodes: Iterable[Episode], *, now: int, cache: ItemCache | None = None
) -> LintReport:
    """Check `show` and `episodes` as the feed would be published at `now` (Unix seconds).

    Paths index `episodes` in the order given. Episodes scheduled after `now` are checked
    too, so a producer hears of a broken scheduled episode before its time; their errors are
    reported as warnings, since they are not in this feed. With a `cache`, each episode's
    own findings are taken from it when the episode has not changed (the report is the same).
    """
    episodes = list(episodes)
    serial = show.type is ShowType.SERIAL
    if cache is None:
        each = (episode_findings(episode, serial=serial) for episode in episodes)
        problems = [(index, own) for index, own in enumerate(each) if own is not CLEAN]
    else:
        problems = cache._problems(episodes, serial=serial)
    findings = Findings()
    lint_show(show, findings)
    lint_episodes(episodes, problems, now=now, findings=findings)
    return LintReport(errors=tuple(findings.errors), warnings=tuple(findings.warnings))


def lint_each(show: Show, episodes: Iterable[Episode], *, now: int) -> list[LintReport]:
    """For each of `episodes`, what `lint(show, [episode], now=now)` finds in it, less what
    it finds in the show: many episodes written at once are each told what a write of that
    episode alone would be, and the show is not checked again for each."""
    serial = show.type is ShowType.SERIAL
    reports: list[LintReport] = []
    for episode in episodes:
        own = episode_findings(episode, serial=serial)
        findings = Findings()
        problems = [(0, own)] if own is not CLEAN else []
        lint_episodes([episode], problems, now=now, findings=findings)
        reports.append(LintReport(errors=tuple(findings.errors), warnings=tuple(findings.warnings)))
    return reports
