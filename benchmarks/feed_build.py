"""Feed build time and peak memory for shows of 1,000, 10,000 and 50,000 episodes, beside lxml.

    python benchmarks/feed_build.py [--sizes 1000 10000 50000] [--repeat 7]

"podops" is a build as the service runs it: `feeds.lint`, then `feeds.render`, on the
`feeds` model. The reference is a plain lxml rendering of the same data: a straightforward
`lxml.etree` builder writing the same tags in the same order (filtered and sorted the same
way), serialised with `etree.tostring(pretty_print=True)`; no linting, no checks, no cache.
Both get the same input, notes included. The service renders each episode's Markdown once,
when it stores the episode (`feeds.markdown_to_html`), and passes the HTML as
`Episode.notes_html` (`Show.summary_html` for the summary), so neither side converts Markdown
during a build: the reference puts the same HTML strings in its CDATA sections. The outputs
are compared (sha256): the reference writes the very bytes podops writes.

The data is made up but shaped like a real show: titles, notes of two to five paragraphs with
links (about 800 characters of Markdown, 900 of HTML), an MP3 or M4A enclosure, a duration,
seasons and numbers, and on some episodes transcripts, chapters, guests (`podcast:person`)
and artwork. Each case runs in a fresh process that reads the episodes from a JSON-lines file
(as the worker reads them from its database: new objects), and reports
- build time: the median of `--repeat` builds after a warm-up (half as many above 10,000
  episodes), in CPU time of that process (time.process_time, so other work on the machine
  does not count), the garbage collector run before each so no build pays for another's;
- peak memory: VmHWM of that process (interpreter, libraries, the episodes and the build),
  beside its resident memory once the episodes were loaded. `render` returns the whole feed,
  so its floor is the episodes plus the feed; `render_to` writes the feed to a file as it is
  made, which is how a worker keeps the largest shows small.

Also measured, on the 10,000-episode show: a rebuild after one episode was added, with the
`feeds.ItemCache` the service keeps per worker, the episodes read afresh for each build, as a
fraction of a full build without it (each rebuilt feed is checked against an uncached build
of the same data); and a build whose notes are Markdown only, converted during the build, to
show what storing HTML saves.

Issue 6's targets: a full build of 10,000 episodes <= 1.5x the lxml reference; a rebuild after
adding one episode to a 10,000-episode show <= 0.2x a full build; peak memory for 50,000
episodes <= 300 MB.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any, TypeVar

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from lxml import etree  # noqa: E402

import feeds  # noqa: E402
from feeds import (  # noqa: E402
    Category,
    Chapters,
    Enclosure,
    Episode,
    EpisodeType,
    Funding,
    Image,
    ItemCache,
    Owner,
    Person,
    Show,
    Transcript,
)

MB = 1024 * 1024
NOW = 1_767_225_600  # 2026-01-01 00:00:00 UTC
SLUG = "benchmark-show"
# Episodes are published every seven hours or so, the newest last in the data file, so the
# first N lines are a show of N episodes and line N + k is an episode added to it.
SPACING = 7 * 3600

_VOCABULARY = (
    "the a of and to in we talk about with our guest this week how why what when podcast "
    "audio story history science data design people city music film book interview news "
    "season listener question answer notes episode open source community research climate "
    "energy food travel health money work school game team future past world local"
)
WORDS = _VOCABULARY.split()

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST = "https://podcastindex.org/namespace/1.0"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
ATOM = "http://www.w3.org/2005/Atom"

T = TypeVar("T")


# --- the data ------------------------------------------------------------------------------


def make_show() -> Show:
    summary = (
        "A weekly conversation about **how things are made**, with the people who make them.\n\n"
        "[Our site](https://example.com/show) · [Support us](https://example.com/support)"
    )
    return Show(
        title="The Benchmark Show",
        summary_markdown=summary,
        summary_html=feeds.markdown_to_html(summary),
        feed_url=f"https://cdn.example.com/f/{SLUG}/feed.xml",
        language="en-us",
        categories=(Category("Technology"), Category("Society & Culture", "Documentary")),
        explicit=False,
        owner=Owner("Sam Owner", "owner@example.com"),
        link="https://example.com/show",
        author="Sam Author",
        copyright="© 2026 Benchmark Productions",
        image=Image(f"https://cdn.example.com/f/{SLUG}/cover.jpeg", 3000, 3000),
        funding=(Funding("https://example.com/support", "Support the show"),),
        persons=(Person("Sam Author", href="https://example.com/sam"),),
        locked=True,
        updated=NOW - 86_400,
    )


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(6, 16))]
    return " ".join(words).capitalize() + "."


def _notes(rng: random.Random, n: int) -> str:
    paragraphs = []
    for p in range(rng.randint(2, 4)):
        parts = [_sentence(rng) for _ in range(rng.randint(2, 4))]
        if rng.random() < 0.6:
            where = f"https://example.com/{n}/{p}?ref=feed&x={rng.randint(1, 999)}"
            parts.insert(1, f"See [{rng.choice(WORDS)} {rng.choice(WORDS)}]({where}).")
        if rng.random() < 0.3:
            parts.append(f"It's **{rng.choice(WORDS)}** & *{rng.choice(WORDS)}*.")
        paragraphs.append(" ".join(parts))
    if rng.random() < 0.5:
        links = [
            f"- [{rng.choice(WORDS).title()}](https://links.example.org/{n}/{i})"
            for i in range(rng.randint(2, 5))
        ]
        paragraphs.append("Links:\n\n" + "\n".join(links))
    return "\n\n".join(paragraphs)


def _episode_record(rng: random.Random, n: int) -> dict[str, Any]:
    """Episode `n` as the service would store it: the notes' HTML rendered on write."""
    guid = hashlib.sha256(f"{SLUG}/{n}".encode()).hexdigest()[:12]
    media = f"https://cdn.example.com/f/{SLUG}/{guid}"
    notes = _notes(rng, n)
    transcripts: list[list[str | None]] = []
    if rng.random() < 0.4:
        transcripts.append([f"{media}.vtt", "text/vtt", "en", "captions"])
        if rng.random() < 0.5:
            transcripts.append([f"{media}.srt", "application/srt", None, None])
    persons = [
        [f"Guest {rng.randint(1, 500)}", "guest", None, f"https://example.com/people/{k}", None]
        for k in range(rng.randint(1, 2) if rng.random() < 0.25 else 0)
    ]
    m4a = rng.random() < 0.1
    return {
        "guid": guid,
        "title": f"{n + 1}: " + " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 8))),
        "published": NOW - (1_000_000 - n) * SPACING + rng.randint(0, 3600),
        "enclosure": [
            f"{media}.{'m4a' if m4a else 'mp3'}",
            rng.randint(5 * MB, 150 * MB),
            "audio/x-m4a" if m4a else "audio/mpeg",
        ],
        "notes_markdown": notes,
        "notes_html": feeds.markdown_to_html(notes),
        "duration": rng.uniform(300, 7200),
        "link": f"https://example.com/episodes/{n + 1}",
        "season": n // 100 + 1,
        "number": n % 100 + 1,
        "type": rng.choices(["full", "bonus", "trailer"], [94, 4, 2])[0],
        "explicit": True if rng.random() < 0.05 else None,
        "image": f"{media}.jpg" if rng.random() < 0.1 else None,
        "transcripts": transcripts,
        "chapters": f"{media}.json" if rng.random() < 0.3 else None,
        "persons": persons,
    }


def write_episodes(path: Path, count: int) -> None:
    rng = random.Random(6)
    with path.open("w") as file:
        for n in range(count):
            file.write(json.dumps(_episode_record(rng, n)) + "\n")


def _episode(record: dict[str, Any]) -> Episode:
    url, length, media_type = record["enclosure"]
    return Episode(
        guid=record["guid"],
        title=record["title"],
        published=record["published"],
        enclosure=Enclosure(url, length, media_type),
        notes_markdown=record["notes_markdown"],
        notes_html=record["notes_html"],
        duration=record["duration"],
        link=record["link"],
        season=record["season"],
        number=record["number"],
        type=EpisodeType(record["type"]),
        explicit=record["explicit"],
        image=Image(record["image"]) if record["image"] else None,
        transcripts=tuple(Transcript(*item) for item in record["transcripts"]),
        chapters=Chapters(record["chapters"]) if record["chapters"] else None,
        persons=tuple(Person(*item) for item in record["persons"]),
    )


def read_episodes(path: Path, start: int, stop: int) -> list[Episode]:
    """Episodes `start` to `stop - 1` of the data file, as new objects."""
    episodes = []
    with path.open() as file:
        for index, line in enumerate(file):
            if index >= stop:
                break
            if index >= start:
                episodes.append(_episode(json.loads(line)))
    return episodes


# --- the reference -------------------------------------------------------------------------


def _date(seconds: int) -> str:
    return format_datetime(datetime.fromtimestamp(seconds, UTC))


def reference_render(show: Show, episodes: list[Episode], now: int) -> bytes:
    """The same feed, written with lxml.etree by hand: no feedgen, no checks, no cache."""
    visible = sorted(
        (e for e in episodes if e.published <= now),
        key=lambda e: (e.published, e.guid),
        reverse=True,
    )
    nsmap = {"atom": ATOM, "content": CONTENT, "itunes": ITUNES, "podcast": PODCAST}
    rss = etree.Element("rss", nsmap=nsmap, version="2.0")
    channel = etree.SubElement(rss, "channel")
    sub = etree.SubElement

    def text(parent: etree._Element, tag: str, value: str) -> etree._Element:
        element = sub(parent, tag)
        element.text = value
        return element

    # The benchmark's show has all of these.
    assert show.link
    assert show.image
    assert show.owner
    assert show.copyright
    text(channel, "title", show.title)
    text(channel, "link", show.link)
    text(channel, "description", etree.CDATA(show.summary_html or ""))
    sub(
        channel,
        f"{{{ATOM}}}link",
        href=show.feed_url,
        rel="self",
        type="application/rss+xml",
    )
    text(channel, "copyright", show.copyright)
    text(channel, "docs", "http://www.rssboard.org/rss-specification")
    text(channel, "generator", "podops")
    image = sub(channel, "image")
    text(image, "url", show.image.url)
    text(image, "title", show.title)
    text(image, "link", show.link)
    text(channel, "language", show.language)
    newest = visible[0].published if visible else 0
    text(channel, "lastBuildDate", _date(max(newest, show.updated or 0)))
    text(channel, "pubDate", _date(newest))
    text(channel, f"{{{ITUNES}}}author", show.author or "")
    owner = sub(channel, f"{{{ITUNES}}}owner")
    text(owner, f"{{{ITUNES}}}name", show.owner.name)
    text(owner, f"{{{ITUNES}}}email", show.owner.email)
    sub(channel, f"{{{ITUNES}}}image", href=show.image.url)
    for category in show.categories:
        outer = sub(channel, f"{{{ITUNES}}}category", text=category.name)
        if category.subcategory:
            sub(outer, f"{{{ITUNES}}}category", text=category.subcategory)
    text(channel, f"{{{ITUNES}}}explicit", "true" if show.explicit else "false")
    text(channel, f"{{{ITUNES}}}type", show.type.value)
    text(channel, f"{{{PODCAST}}}guid", feeds.podcast_guid(show.feed_url))
    locked = text(channel, f"{{{PODCAST}}}locked", "yes" if show.locked else "no")
    locked.set("owner", show.owner.email)
    for funding in show.funding:
        text(channel, f"{{{PODCAST}}}funding", funding.title).set("url", funding.url)
    for person in show.persons:
        text(channel, f"{{{PODCAST}}}person", person.name).set("href", person.href or "")

    for episode in visible:
        item = sub(channel, "item")
        text(item, "title", episode.title)
        if episode.link:
            text(item, "link", episode.link)
        html = episode.notes_html or ""
        text(item, "description", etree.CDATA(html))
        text(item, f"{{{CONTENT}}}encoded", etree.CDATA(html))
        text(item, "guid", episode.guid).set("isPermaLink", "false")
        if episode.enclosure is not None:
            enclosure = episode.enclosure
            length = str(enclosure.length)
            sub(item, "enclosure", url=enclosure.url, length=length, type=enclosure.type)
        text(item, "pubDate", _date(episode.published))
        text(item, f"{{{ITUNES}}}episodeType", episode.type.value)
        if episode.duration is not None:
            text(item, f"{{{ITUNES}}}duration", str(int(episode.duration + 0.5)))
        if episode.season is not None:
            text(item, f"{{{ITUNES}}}season", str(episode.season))
        if episode.number is not None:
            text(item, f"{{{ITUNES}}}episode", str(episode.number))
        if episode.explicit is not None:
            text(item, f"{{{ITUNES}}}explicit", "true" if episode.explicit else "false")
        if episode.image is not None:
            sub(item, f"{{{ITUNES}}}image", href=episode.image.url)
        if episode.season is not None:
            text(item, f"{{{PODCAST}}}season", str(episode.season))
        if episode.number is not None:
            text(item, f"{{{PODCAST}}}episode", str(episode.number))
        for transcript in episode.transcripts:
            element = sub(item, f"{{{PODCAST}}}transcript", url=transcript.url)
            element.set("type", transcript.type)
            if transcript.language:
                element.set("language", transcript.language)
            if transcript.rel:
                element.set("rel", transcript.rel)
        if episode.chapters is not None:
            element = sub(item, f"{{{PODCAST}}}chapters", url=episode.chapters.url)
            element.set("type", episode.chapters.type)
        for person in episode.persons:
            element = text(item, f"{{{PODCAST}}}person", person.name)
            for name, value in (
                ("role", person.role),
                ("group", person.group),
                ("img", person.img),
                ("href", person.href),
            ):
                if value:
                    element.set(name, value)
    result: bytes = etree.tostring(rss, encoding="UTF-8", xml_declaration=True, pretty_print=True)
    return result


# --- the cases, each in its own process ----------------------------------------------------


def rss_mb() -> float:
    """Resident memory now."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / MB


def peak_mb() -> float:
    """Peak resident memory of this process so far.

    VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent when the child is
    started with vfork and exec (as subprocess does), so a small case would report the
    benchmark's own peak.
    """
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(build: Callable[[], T], repeat: int) -> tuple[float, T]:
    """Median seconds of `repeat` calls after one warm-up, and what the last one returned."""
    result = build()
    times = []
    for _ in range(repeat):
        del result  # one feed alive at a time, as in a worker
        gc.collect()
        started = time.process_time()
        result = build()
        times.append(time.process_time() - started)
    return statistics.median(times), result


def podops_build(show: Show, episodes: list[Episode], cache: ItemCache | None = None) -> bytes:
    """What the build pipeline does with the model: lint, then render."""
    report = feeds.lint(show, episodes, now=NOW, cache=cache)
    assert report.ok, report.errors[:3]
    return feeds.render(show, episodes, now=NOW, cache=cache)


def case_podops(data: Path, count: int, repeat: int) -> dict[str, Any]:
    show, episodes = make_show(), read_episodes(data, 0, count)
    loaded = rss_mb()
    lint_seconds, report = timed(lambda: feeds.lint(show, episodes, now=NOW), repeat)
    render_seconds, feed = timed(lambda: feeds.render(show, episodes, now=NOW), repeat)
    del report, feed  # one feed alive at a time, as in a worker
    seconds, feed = timed(lambda: podops_build(show, episodes), repeat)
    return {
        "seconds": seconds,
        "lint": lint_seconds,
        "render": render_seconds,
        "loaded_mb": loaded,
        "peak_mb": peak_mb(),
        "bytes": len(feed),
        "sha256": hashlib.sha256(feed).hexdigest(),
    }


def case_stream(data: Path, count: int, repeat: int) -> dict[str, Any]:
    """The same build, the feed written to a file as it is made (`feeds.render_to`)."""
    show, episodes = make_show(), read_episodes(data, 0, count)
    digest = hashlib.sha256()
    report = feeds.lint(show, episodes, now=NOW)
    assert report.ok, report.errors[:3]
    with tempfile.TemporaryFile() as file:
        size = feeds.render_to(show, episodes, file, now=NOW)
        file.seek(0)
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return {"peak_mb": peak_mb(), "bytes": size, "sha256": digest.hexdigest()}


def case_reference(data: Path, count: int, repeat: int) -> dict[str, Any]:
    show, episodes = make_show(), read_episodes(data, 0, count)
    loaded = rss_mb()
    seconds, feed = timed(lambda: reference_render(show, episodes, NOW), repeat)
    return {
        "seconds": seconds,
        "loaded_mb": loaded,
        "peak_mb": peak_mb(),
        "bytes": len(feed),
        "sha256": hashlib.sha256(feed).hexdigest(),
    }


def case_rebuild(data: Path, count: int, repeat: int) -> dict[str, Any]:
    show, episodes = make_show(), read_episodes(data, 0, count)

    def grown(k: int) -> list[Episode]:
        # Read afresh, as the worker would from the database, with one more episode.
        return read_episodes(data, 0, count) + read_episodes(data, count + k, count + k + 1)

    full, feed = timed(lambda: podops_build(show, episodes), repeat)
    del feed
    cache = ItemCache()
    gc.collect()
    started = time.process_time()
    feed = podops_build(show, episodes, cache)
    first = time.process_time() - started
    del feed
    times, digests = [], []
    for k in range(repeat):
        fresh = grown(k)
        hits, misses = cache.hits, cache.misses
        gc.collect()
        started = time.process_time()
        feed = podops_build(show, fresh, cache)
        times.append(time.process_time() - started)
        hits, misses = cache.hits - hits, cache.misses - misses
        digests.append(hashlib.sha256(feed).digest())
        del feed, fresh  # published and dropped, as in a worker
    # Checked apart from the timed builds: each is what a build without the cache gives.
    identical = all(
        hashlib.sha256(podops_build(show, grown(k))).digest() == digest
        for k, digest in enumerate(digests)
    )
    return {
        "full": full,
        "first": first,
        "rebuild": statistics.median(times),
        "rebuilds": times,
        "hits": hits,
        "misses": misses,
        "identical": identical,
        "cache_mb": cache.nbytes / MB,
        "peak_mb": peak_mb(),
    }


def case_markdown(data: Path, count: int, repeat: int) -> dict[str, Any]:
    show = make_show()
    show = replace(show, summary_html=None)
    episodes = [replace(e, notes_html=None) for e in read_episodes(data, 0, count)]
    gc.collect()
    started = time.process_time()
    podops_build(show, episodes)  # once: the Markdown conversion caches what it converted
    return {"seconds": time.process_time() - started}


CASES = {
    "podops": case_podops,
    "stream": case_stream,
    "reference": case_reference,
    "rebuild": case_rebuild,
    "markdown": case_markdown,
}


def run_case(name: str, data: Path, count: int, repeat: int) -> dict[str, Any]:
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--case",
        name,
        "--data",
        str(data),
        "--sizes",
        str(count),
        "--repeat",
        str(repeat),
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=False)
    if output.returncode != 0:
        raise SystemExit(f"case {name} {count} failed:\n{output.stderr}")
    result: dict[str, Any] = json.loads(output.stdout.splitlines()[-1])
    return result


# --- the report ----------------------------------------------------------------------------


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms"


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT MET"


def repeats_for(count: int, repeat: int) -> int:
    return max(1, repeat if count <= 10_000 else repeat // 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 50_000])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--rebuild-size", type=int, default=10_000)
    parser.add_argument("--case", choices=sorted(CASES))
    parser.add_argument("--data", type=Path)
    args = parser.parse_args()
    if args.case:
        print(json.dumps(CASES[args.case](args.data, args.sizes[0], args.repeat)))
        return

    sizes = sorted(args.sizes)
    total = max(*sizes, args.rebuild_size) + args.repeat
    print(
        f"Python {platform.python_version()}, lxml {'.'.join(map(str, etree.LXML_VERSION[:3]))}, "
        f"{os.cpu_count()} CPUs; CPU time, median of {args.repeat} builds "
        f"({repeats_for(50_000, args.repeat)} above 10,000 episodes) after a warm-up; "
        "each case in a fresh process"
    )
    with tempfile.TemporaryDirectory(prefix="podops-bench-") as directory:
        data = Path(directory) / "episodes.jsonl"
        started = time.perf_counter()
        write_episodes(data, total)
        print(
            f"made {total:,} episodes (notes rendered to HTML as the service stores them) "
            f"in {time.perf_counter() - started:.1f}s\n"
        )
        ours, streamed, theirs = {}, {}, {}
        for count in sizes:
            repeat = repeats_for(count, args.repeat)
            ours[count] = run_case("podops", data, count, repeat)
            streamed[count] = run_case("stream", data, count, repeat)
            theirs[count] = run_case("reference", data, count, repeat)
        rebuild = run_case("rebuild", data, args.rebuild_size, args.repeat)
        markdown = run_case("markdown", data, args.rebuild_size, 1)
    report(args.rebuild_size, sizes, ours, streamed, theirs, rebuild, markdown)


def report(
    target: int,
    sizes: list[int],
    ours: dict[int, dict[str, Any]],
    streamed: dict[int, dict[str, Any]],
    theirs: dict[int, dict[str, Any]],
    rebuild: dict[str, Any],
    markdown: dict[str, Any],
) -> None:
    print("build time          lint      render   podops: lint + render   lxml reference   ratio")
    for count in sizes:
        mine, ref = ours[count], theirs[count]
        print(
            f"{count:>7,} episodes {ms(mine['lint']):>10} {ms(mine['render']):>11} "
            f"{ms(mine['seconds']):>23} {ms(ref['seconds']):>16} "
            f"{mine['seconds'] / ref['seconds']:>7.2f}x"
        )
    print()
    print(
        "peak memory       render   render_to a file   episodes loaded   lxml reference"
        "   feed size   same bytes"
    )
    for count in sizes:
        mine, stream, ref = ours[count], streamed[count], theirs[count]
        same = "yes" if mine["sha256"] == ref["sha256"] == stream["sha256"] else "NO"
        print(
            f"{count:>7,} episodes {mine['peak_mb']:>5.0f} MB {stream['peak_mb']:>15.0f} MB "
            f"{mine['loaded_mb']:>14.0f} MB {ref['peak_mb']:>13.0f} MB "
            f"{mine['bytes'] / MB:>8.1f} MB {same:>12}"
        )
    print()
    full, again = rebuild["full"], rebuild["rebuild"]
    print(f"{target:,} episodes, then one more, with an ItemCache (episodes read afresh each time)")
    print(f"  full build, no cache                  {ms(full):>10}")
    print(f"  first build, empty cache              {ms(rebuild['first']):>10}")
    print(
        f"  rebuild after adding one episode      {ms(again):>10}  = {again / full:.3f}x a full "
        f"build; {rebuild['hits']:,} results from the cache, {rebuild['misses']:,} made"
    )
    print(
        f"  same bytes as without the cache: {'yes' if rebuild['identical'] else 'NO'}; "
        f"cache {rebuild['cache_mb']:.0f} MB; peak memory of that process "
        f"{rebuild['peak_mb']:.0f} MB"
    )
    print(
        f"  notes as Markdown only, converted during the build: {ms(markdown['seconds'])} "
        f"= {markdown['seconds'] / full:.1f}x the build with stored HTML"
    )
    print()
    if target in ours:
        ratio = ours[target]["seconds"] / theirs[target]["seconds"]
        print(
            f"full build of {target:,} episodes <= 1.5x the lxml reference: "
            f"{ratio:.2f}x  {verdict(ratio <= 1.5)}"
        )
    print(
        f"rebuild after adding one episode to {target:,} <= 0.2x a full build: "
        f"{again / full:.3f}x  {verdict(again / full <= 0.2)}"
    )
    largest = sizes[-1]
    floor = ours[largest]["loaded_mb"] + ours[largest]["bytes"] / MB
    print(
        f"peak memory for {largest:,} episodes <= 300 MB: render {ours[largest]['peak_mb']:.0f} "
        f"MB  {verdict(ours[largest]['peak_mb'] <= 300)} (episodes + feed alone: {floor:.0f} "
        f"MB); render_to {streamed[largest]['peak_mb']:.0f} MB  "
        f"{verdict(streamed[largest]['peak_mb'] <= 300)}"
    )


if __name__ == "__main__":
    main()
