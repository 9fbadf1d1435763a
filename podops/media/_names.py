"""What a client's file name claims, checked against what the bytes are.

The name never decides the type. It only catches a mistake worth telling: a PNG uploaded as
`episode.mp3` is refused; an M4A named `.mp3` is accepted as M4A, with a warning.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Literal

from podops.media.errors import ProbeError
from podops.media.formats import Kind, MediaFormat

Family = Literal["audio or video", "image", "transcript or chapters"]

_FAMILY_OF_KIND: dict[Kind, Family] = {
    "audio": "audio or video",
    "video": "audio or video",
    "image": "image",
    "transcript": "transcript or chapters",
    "chapters": "transcript or chapters",
}
_AV = (".mp3", ".mpga", ".m4a", ".m4b", ".aac", ".ogg", ".oga", ".opus", ".flac", ".wav")
_VIDEO = (".mp4", ".m4v", ".mov")
_FAMILY_OF_EXTENSION: dict[str, Family] = {
    **dict.fromkeys(_AV + _VIDEO, "audio or video"),
    **dict.fromkeys((".jpg", ".jpeg", ".png", ".gif", ".webp", ".heic", ".avif"), "image"),
    **dict.fromkeys((".srt", ".vtt", ".json"), "transcript or chapters"),
}


def declared_extension(declared_name: str | None) -> str:
    """The lower-case extension of a client's file name ('' without one); any path is ignored."""
    if not declared_name:
        return ""
    return PurePosixPath(declared_name.replace("\\", "/")).suffix.lower()


def check_declared_name(declared_name: str | None, media_format: MediaFormat) -> list[str]:
    """Refuse a name of another family than the bytes; warn about another format of the same."""
    extension = declared_extension(declared_name)
    claimed = _FAMILY_OF_EXTENSION.get(extension)
    if claimed is None or extension == media_format.extension:
        return []
    found = _FAMILY_OF_KIND[media_format.kind]
    described = f"{media_format.name.upper()} ({media_format.mime_type})"
    if claimed != found:
        raise ProbeError(
            "podops.media.type_mismatch",
            f"the name ends in {extension} ({claimed}) but the bytes are {described}",
        )
    if extension in _equivalent_extensions(media_format):
        return []
    return [f"the name ends in {extension} but the bytes are {described}"]


def _equivalent_extensions(media_format: MediaFormat) -> tuple[str, ...]:
    # Other spellings of the same format, not worth a warning.
    return {
        "jpeg": (".jpeg",),
        "m4a": (".m4b", ".mp4"),
        "vorbis": (".oga",),
        "opus": (".ogg", ".oga"),
        "mp3": (".mpga",),
        "transcript-json": (".json",),
        "chapters-json": (".json",),
    }.get(media_format.name, ())
