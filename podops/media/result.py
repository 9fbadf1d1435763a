"""What probing found: `ProbeResult`, and the `Role` a caller gives the file."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from podops.media.formats import Kind, MediaFormat

__all__ = ["ProbeResult", "Role"]

# "artwork" asks for an image and adds Apple's artwork rules as warnings.
Role = Literal["media", "artwork"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ProbeResult:
    """The facts read from a file's bytes. Fields that do not apply to its kind are None.

    `exact_duration` is True when the duration was counted from the stream itself (MPEG frames,
    a Xing/VBRI frame count, Ogg granule positions, FLAC/WAV sample counts, MP4 time scales)
    and False when it was estimated from size and bitrate or there is no duration.
    `bitrate` is in bit/s, `duration` in seconds. `warnings` are for people: the file is
    accepted, but something about it will bother a podcatcher.
    """

    media_format: MediaFormat
    size: int
    duration: float | None = None
    exact_duration: bool = False
    bitrate: int | None = None
    sample_rate: int | None = None
    channels: int | None = None
    codec: str | None = None
    width: int | None = None
    height: int | None = None
    mode: str | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def kind(self) -> Kind:
        return self.media_format.kind

    @property
    def mime_type(self) -> str:
        return self.media_format.mime_type

    @property
    def extension(self) -> str:
        """The canonical extension, with its dot: enclosure URLs end in it."""
        return self.media_format.extension
