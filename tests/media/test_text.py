"""Transcripts (SRT, WebVTT, JSON) and JSON chapters: MIME types and the light structure check."""

from __future__ import annotations

import json

import pytest

from podops.media import ProbeError, probe
from tests.media import samples
from tests.media.conftest import WriteMedia


def refusal(media_file: WriteMedia, data: bytes) -> ProbeError:
    with pytest.raises(ProbeError) as caught:
        probe(media_file(data))
    return caught.value


@pytest.mark.parametrize(
    ("data", "mime_type", "extension", "kind"),
    [
        (samples.SRT.encode(), "application/x-subrip", ".srt", "transcript"),
        (samples.VTT.encode(), "text/vtt", ".vtt", "transcript"),
        (json.dumps(samples.TRANSCRIPT).encode(), "application/json", ".json", "transcript"),
        (json.dumps(samples.CHAPTERS).encode(), "application/json+chapters", ".json", "chapters"),
    ],
)
def test_accepted(
    media_file: WriteMedia, data: bytes, mime_type: str, extension: str, kind: str
) -> None:
    result = probe(media_file(data))
    assert (result.mime_type, result.extension, result.kind) == (mime_type, extension, kind)
    assert result.size == len(data)
    assert result.duration is None


@pytest.mark.parametrize(
    "text",
    [
        "\ufeff" + samples.SRT.replace("\n", "\r\n"),
        "\ufeff" + samples.VTT.replace("\n", "\r\n"),
        "\n\n" + samples.SRT,
        "WEBVTT - with a title\n\n00:01.000 --> 00:02.000\nHi\n",
        "WEBVTT\n\n1\n00:01.000 --> 00:02.000\nan arrow --> in the text\n",
    ],
    ids=["srt-bom-crlf", "vtt-bom-crlf", "srt-leading-blank", "vtt-title", "vtt-arrow-in-text"],
)
def test_accepted_variants(media_file: WriteMedia, text: str) -> None:
    assert probe(media_file(text.encode())).kind == "transcript"


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("WEBVTT\n\n00:01.000 --> 00:02\nHi\n", "malformed timing"),
        ("WEBVTT\n\nNOTE nothing here\n", "no cues"),
        ("WEBVTT\n\n00:01,000 --> 00:02,000\nSRT commas\n", "malformed timing"),
        (samples.SRT + "\n3\n00:00:05,000 -> 00:00:06,000\nbroken arrow\n", "malformed timing"),
        (samples.SRT + "\n3\n00:00:05,000 --> 00:61:00,000\nbad minutes\n", "malformed timing"),
    ],
)
def test_malformed_cues(media_file: WriteMedia, text: str, phrase: str) -> None:
    error = refusal(media_file, text.encode())
    assert error.code == "podops.media.corrupt"
    assert phrase in error.message


def test_transcript_must_be_utf8(media_file: WriteMedia) -> None:
    text = samples.SRT.replace("welcome", "bienvenue à tous")
    assert refusal(media_file, text.encode("latin-1")).code == "podops.media.corrupt"


@pytest.mark.parametrize(
    ("document", "code"),
    [
        ('{"segments": [', "podops.media.corrupt"),
        ('{"a": ' + "[" * 100_000, "podops.media.corrupt"),
        ('{"title": "not a transcript"}', "podops.media.unsupported_type"),
        ('{"segments": [], "chapters": []}', "podops.media.unsupported_type"),
        ('{"segments": {}}', "podops.media.corrupt"),
        ('{"segments": [1]}', "podops.media.corrupt"),
        ('{"segments": [{"startTime": "0", "endTime": 1, "body": "x"}]}', "podops.media.corrupt"),
        ('{"segments": [{"startTime": 0, "endTime": true, "body": "x"}]}', "podops.media.corrupt"),
        ('{"segments": [{"startTime": 0, "endTime": NaN, "body": "x"}]}', "podops.media.corrupt"),
        ('{"segments": [{"startTime": 0, "endTime": 1}]}', "podops.media.corrupt"),
        ('{"chapters": [{"startTime": 0}]}', "podops.media.corrupt"),
        ('{"version": 1.2, "chapters": [{"startTime": 0}]}', "podops.media.corrupt"),
        ('{"version": "1.2.0", "chapters": [{"startTime": -1}]}', "podops.media.corrupt"),
        ('{"version": "1.2.0", "chapters": [{"title": "no start"}]}', "podops.media.corrupt"),
    ],
)
def test_json_documents(media_file: WriteMedia, document: str, code: str) -> None:
    assert refusal(media_file, document.encode()).code == code


def test_json_array_is_no_known_type(media_file: WriteMedia) -> None:
    assert refusal(media_file, b"[1, 2, 3]").code == "podops.media.unsupported_type"


def test_text_over_the_limit(media_file: WriteMedia, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("podops.media._text.MAX_TEXT_SIZE", 100)
    error = refusal(media_file, samples.SRT.encode() * 3)
    assert error.code == "podops.media.too_large"
