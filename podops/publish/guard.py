"""The GUID guard: a publish must not silently change what subscribers already have.

Changing a published episode's GUID or enclosure URL, or dropping it, makes every podcatcher
download it again (or lose it) — the most-reported podcast feed bug there is. GUIDs are made
by the server and never change, so what can happen is an episode deleted, or its media
replaced; either needs the build request to say `force`.
"""

from __future__ import annotations

from podops.publish.mapping import Problem


def check_published(previous: dict[str, str], current: dict[str, str]) -> list[Problem]:
    """What `current` ({guid: enclosure URL}) changes of `previous`, as problems."""
    problems = []
    for guid, url in sorted(previous.items()):
        if guid not in current:
            problems.append(
                Problem(
                    "published-episode-dropped",
                    f"episode {guid} is in the published feed and this build would drop it; "
                    "subscribers would lose it (build with force to do it anyway)",
                    f"episodes[guid={guid}]",
                )
            )
        elif current[guid] != url:
            problems.append(
                Problem(
                    "published-enclosure-changed",
                    f"episode {guid}'s enclosure URL would change from {url} to {current[guid]}; "
                    "every subscriber would download it again (build with force to do it anyway)",
                    f"episodes[guid={guid}].enclosure.url",
                )
            )
    return problems
