"""Probing transcripts (SRT, WebVTT, Podcast Namespace JSON) and JSON chapters.

The check is light: the structure that tells the format apart and that a podcatcher needs
(cue timings; JSON `segments`, or `version` and `chapters`, with numeric start times).
"""

from __future__ import annotations

import codecs
import json
import math
import re
from typing import BinaryIO, Literal

from podops.media import formats
from podops.media._io import read_at
from podops.media.errors import ProbeError
from podops.media.result import ProbeResult

TextFormat = Literal["vtt", "srt", "json"]

MAX_TEXT_SIZE = 32 << 20  # hours of word-level JSON transcript fit in a few MB

_SRT_TIME = r"\d+:[0-5]\d:[0-5]\d[,.]\d{1,3}"
_VTT_TIME = r"(?:\d+:)?[0-5]\d:[0-5]\d\.\d{3}"
_SRT_TIMING = re.compile(rf"[ \t]*{_SRT_TIME}[ \t]*-->[ \t]*{_SRT_TIME}(?:[ \t].*)?")
_VTT_TIMING = re.compile(rf"[ \t]*{_VTT_TIME}[ \t]+-->[ \t]+{_VTT_TIME}(?:[ \t].*)?")
_SRT_START = re.compile(rf"\s*\d+[ \t]*\r?\n[ \t]*{_SRT_TIME}[ \t]*-->")
_BLANK_LINE = re.compile(r"\r?\n[ \t]*\r?\n")


def sniff_text(head: bytes) -> TextFormat | None:
    """The text format these first bytes of a file begin, if any.

    Bytes that are not UTF-8 are replaced, not refused: an SRT file in Latin-1 is still an
    SRT file, and `probe_text` tells the client what is wrong with it.
    """
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    text = decoder.decode(head, final=False).removeprefix("\ufeff")
    if text.startswith("WEBVTT") and text[6:7] in ("", " ", "\t", "\r", "\n"):
        return "vtt"
    if _SRT_START.match(text):
        return "srt"
    if text.lstrip().startswith("{"):
        return "json"
    return None


def probe_text(file: BinaryIO, size: int, text_format: TextFormat) -> ProbeResult:
    """Check a transcript or chapters file and name its format."""
    if size > MAX_TEXT_SIZE:
        raise ProbeError(
            "podops.media.too_large",
            f"a transcript or chapters file may have {MAX_TEXT_SIZE} bytes at most",
        )
    try:
        text = read_at(file, 0, size).decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ProbeError("podops.media.corrupt", f"the text is not UTF-8: {error}") from error
    if text_format == "vtt":
        _check_cues(text, _VTT_TIMING, "WebVTT", numbered=False)
        media_format = formats.VTT
    elif text_format == "srt":
        _check_cues(text, _SRT_TIMING, "SRT", numbered=True)
        media_format = formats.SRT
    else:
        media_format = _check_json(text)
    return ProbeResult(media_format=media_format, size=size)


def _check_cues(text: str, timing: re.Pattern[str], name: str, *, numbered: bool) -> None:
    """Every block that looks like a cue has a well-formed timing line, and there is one.

    A cue's timing is its first line, or its second after an identifier (WebVTT) or an index
    (SRT, where a block starting with a number is a cue even when its arrow is broken).
    """
    cues = 0
    for number, block in enumerate(_BLANK_LINE.split(text.strip()), start=1):
        lines = block.splitlines()
        head = [line for line in lines[:2] if "-->" in line]
        if numbered and lines[0].strip().isdigit():
            head = lines[1:2] or [""]
        if not head:
            continue
        if not timing.fullmatch(head[0]):
            raise ProbeError(
                "podops.media.corrupt", f"{name} block {number} has a malformed timing line"
            )
        cues += 1
    if not cues:
        raise ProbeError("podops.media.corrupt", f"the {name} file has no cues")


def _check_json(text: str) -> formats.MediaFormat:
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise ProbeError("podops.media.corrupt", f"the JSON does not parse: {error}") from error
    if not isinstance(document, dict):
        raise _not_ours()
    is_transcript, is_chapters = "segments" in document, "chapters" in document
    if is_transcript == is_chapters:  # neither, or both: not a document we know
        raise _not_ours()
    if is_transcript:
        _check_entries(document["segments"], "segments", ("startTime", "endTime"), "body")
        return formats.TRANSCRIPT_JSON
    if not isinstance(document.get("version"), str):
        raise ProbeError("podops.media.corrupt", "chapters: version is missing or not a string")
    _check_entries(document["chapters"], "chapters", ("startTime",), None)
    return formats.CHAPTERS_JSON


def _check_entries(entries: object, key: str, times: tuple[str, ...], text_key: str | None) -> None:
    if not isinstance(entries, list):
        raise ProbeError("podops.media.corrupt", f"{key} is not a list")
    for index, entry in enumerate(entries):
        where = f"{key}[{index}]"
        if not isinstance(entry, dict):
            raise ProbeError("podops.media.corrupt", f"{where} is not an object")
        for time in times:
            value = entry.get(time)
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not math.isfinite(value)
                or value < 0
            ):
                raise ProbeError("podops.media.corrupt", f"{where}.{time} is not a number >= 0")
        if text_key is not None and not isinstance(entry.get(text_key), str):
            raise ProbeError("podops.media.corrupt", f"{where}.{text_key} is not a string")


def _not_ours() -> ProbeError:
    return ProbeError(
        "podops.media.unsupported_type",
        "JSON that is not either a transcript (segments) or chapters (version, chapters)",
    )
