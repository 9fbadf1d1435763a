"""No bytes crash or hang the prober: every input gives a result or a ProbeError.

Valid files of each type are cut everywhere, have bytes overwritten at random, and have their
heads grafted onto random tails. Seeds are fixed: a failure here reproduces.
"""

from __future__ import annotations

import math
import random
import typing
from pathlib import Path

import pytest

from podops.media import ProbeError, ProbeErrorCode, ProbeResult, probe
from tests.media import samples

SAMPLES = samples.every_type()
CODES = set(typing.get_args(ProbeErrorCode))
MAGIC = [
    b"ID3\x03\x00\x00\x00\x00\x02\x00",
    b"\xff\xfb\x90\x64",
    b"\xff\xf1\x50\x80",
    b"fLaC\x00\x00\x00\x22",
    b"OggS\x00\x02",
    b"RIFF\x24\x00\x00\x00WAVEfmt ",
    b"\x00\x00\x00\x18ftypisom",
    b"\x00\x00\x00\x08moov",
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff\xe0",
    b"WEBVTT\n\n",
    b"1\n00:00:00,000 --> 00:00:01,000\n",
    b'{"segments": [',
]


def probe_or_refuse(path: Path, data: bytes, role: str = "media") -> None:
    path.write_bytes(data)
    outcome: ProbeResult | ProbeError
    try:
        outcome = probe(path, role=role)  # type: ignore[arg-type]
    except ProbeError as error:
        outcome = error
    if isinstance(outcome, ProbeError):
        assert outcome.code in CODES
        assert outcome.message
    else:
        check(outcome, len(data))


def check(result: ProbeResult, size: int) -> None:
    assert result.size == size
    assert result.extension.startswith(".")
    assert "/" in result.mime_type
    if result.duration is not None:
        assert math.isfinite(result.duration)
        assert result.duration >= 0
    for value in (result.bitrate, result.sample_rate, result.channels):
        assert value is None or value >= 0


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_cut_anywhere(tmp_path: Path, name: str) -> None:
    data = SAMPLES[name]
    step = max(1, len(data) // 80)
    cuts = set(range(1, len(data), step)) | set(range(1, min(40, len(data))))
    for cut in sorted(cuts):
        probe_or_refuse(tmp_path / "cut", data[:cut])


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_overwritten_bytes(tmp_path: Path, name: str) -> None:
    rng = random.Random(f"overwrite-{name}")
    data = SAMPLES[name]
    for attempt in range(150):
        mangled = bytearray(data)
        # Mostly near the start, where the headers that steer the parsers are.
        span = len(data) if attempt % 3 == 0 else min(len(data), 256)
        for _ in range(rng.randint(1, 8)):
            mangled[rng.randrange(span)] = rng.randrange(256)
        role = "artwork" if attempt % 10 == 0 else "media"
        probe_or_refuse(tmp_path / "overwritten", bytes(mangled), role)


@pytest.mark.parametrize("magic", MAGIC, ids=lambda magic: repr(magic[:8]))
def test_magic_then_random_bytes(tmp_path: Path, magic: bytes) -> None:
    rng = random.Random(magic)
    for _ in range(60):
        tail = rng.randbytes(rng.choice((0, 1, 5, 30, 300, 3000, 70_000)))
        probe_or_refuse(tmp_path / "random", magic + tail)


def test_halves_of_different_files(tmp_path: Path) -> None:
    rng = random.Random("splice")
    names = sorted(SAMPLES)
    for _ in range(200):
        first, second = SAMPLES[rng.choice(names)], SAMPLES[rng.choice(names)]
        head = first[: rng.randrange(1, len(first))]
        probe_or_refuse(tmp_path / "spliced", head + second[rng.randrange(len(second)) :])


def test_every_sample_is_accepted(tmp_path: Path) -> None:
    # The inputs above start from files that pass: otherwise the fuzzing proves little.
    for name, data in SAMPLES.items():
        path = tmp_path / name
        path.write_bytes(data)
        expected = "mp3" if name.startswith("mp3-") else name
        assert probe(path).media_format.name == expected
