"""The show page `/s/{name}/` of a 10,000-episode show: what one page costs, beside its
reference, reading the whole published feed.

    python benchmarks/show_page.py [--episodes 10000] [--repeat 15]

The page is made from the published feed (`podops.api.published.read_published`, then
`podops.api.show_page.render_show_page`): the feed is streamed from the file and left once the
page's 50 episodes are read. Measured, each the median of `--repeat` runs in CPU time
(time.process_time):
- the first page (the newest 50, what nearly every visitor opens);
- the last page (the oldest 50: the whole feed is read to reach them);
- the reference: `lxml.etree.parse` of the whole feed, the least a page made from the whole
  feed would cost (a naive page parsed it, then picked 50 items).
Each episode carries about 900 characters of notes HTML, as a real show's do. The page's ETag
follows the feed's, so a repeat visit within the cache time is a 304 that reads no feed.

Target (issue 16): the first page of a 10,000-episode show <= 0.05x the reference.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from lxml import etree

from feeds import render
from podops.api.published import read_published
from podops.api.show_page import EPISODES_PER_PAGE, render_show_page
from tests.feeds import samples

NOTES = (
    "<p>In this episode we talk about <strong>building things</strong> that last, with "
    '<a href="https://example.com/guest">our guest</a>, and why small tools win.</p>'
    "<ul><li>Where the idea came from</li><li>What went wrong first</li><li>What we would do "
    'again</li></ul><p>Links: <a href="https://example.com/notes">show notes</a>, '
    '<a href="https://example.com/book">the book</a>.</p>'
) * 2


def median_seconds(work: Callable[[], object], repeat: int) -> float:
    work()  # warm-up
    times = []
    for _ in range(repeat):
        started = time.process_time()
        work()
        times.append(time.process_time() - started)
    return statistics.median(times)


def page(feed: Path, number: int) -> str:
    with feed.open("rb") as stream:
        show = read_published(
            stream, skip=(number - 1) * EPISODES_PER_PAGE, count=EPISODES_PER_PAGE
        )
    return render_show_page(show, page=number, moved_to=None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--episodes", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    episodes = [replace(samples.episode(n), notes_html=NOTES) for n in range(1, args.episodes + 1)]
    now = samples.NOW + args.episodes * samples.DAY
    last = -(-args.episodes // EPISODES_PER_PAGE)
    with tempfile.TemporaryDirectory() as scratch:
        feed = Path(scratch) / "feed.xml"
        feed.write_bytes(render(samples.show(), episodes, now=now, stylesheet="/f/feed.xsl"))
        size_mb = feed.stat().st_size / 1e6
        first_page = median_seconds(lambda: page(feed, 1), args.repeat)
        last_page = median_seconds(lambda: page(feed, last), args.repeat)
        reference = median_seconds(lambda: etree.parse(str(feed)), args.repeat)
    ratio = first_page / reference
    verdict = "meets" if ratio <= 0.05 else "MISSES"
    print(f"show page of a {args.episodes:,}-episode show (feed {size_mb:.1f} MB), CPU time")
    rows = [
        ("reference: the whole feed parsed by lxml", reference, ""),
        (
            f"first page (the newest {EPISODES_PER_PAGE})",
            first_page,
            f"= {ratio:.3f}x reference (target <= 0.05x: {verdict})",
        ),
        (f"last page ({last})", last_page, f"= {last_page / reference:.3f}x reference"),
    ]
    for label, seconds, note in rows:
        print(f"  {label:<42} {seconds * 1000:8.2f} ms  {note}")
    if ratio > 0.05:
        sys.exit(1)


if __name__ == "__main__":
    main()
