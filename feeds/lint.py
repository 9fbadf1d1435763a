"""`lint`: the gate before a publish — Apple Podcasts, Podcast Standards Project and Podcast
Index rules, checked on the model rather than on the XML, so each finding names the field.

Errors stop a publish (the previous feed stays up); warnings are reported with the build.
The rules are in `_lint_show` (the channel) and `_lint_episodes` (the items); `Code` lists
them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from feeds._findings import Code, Finding, Findings
from feeds._lint_episodes import lint_episodes
from feeds._lint_show import lint_show
from feeds.model import Episode, Show

__all__ = ["Code", "Finding", "LintReport", "lint"]


@dataclass(frozen=True, slots=True)
class LintReport:
    """Everything `lint` found: errors first stop a publish, warnings only inform."""

    errors: tuple[Finding, ...]
    warnings: tuple[Finding, ...]

    @property
    def ok(self) -> bool:
        """True when nothing stops the publish."""
        return not self.errors


def lint(show: Show, episodes: Iterable[Episode], *, now: int) -> LintReport:
    """Check `show` and `episodes` as the feed would be published at `now` (Unix seconds).

    Paths index `episodes` in the order given. Episodes scheduled after `now` are checked
    too, so a producer hears of a broken scheduled episode before its time; their errors are
    reported as warnings, since they are not in this feed.
    """
    episodes = list(episodes)
    findings = Findings()
    lint_show(show, findings)
    lint_episodes(show, episodes, now=now, findings=findings)
    return LintReport(errors=tuple(findings.errors), warnings=tuple(findings.warnings))
