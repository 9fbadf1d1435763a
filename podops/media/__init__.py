"""Media probing: what an uploaded file is, from its bytes, never from its name.

Pure functions: no database, no HTTP, no storage. `remote_duration(read, size)` learns a
remote file's duration from ranged reads of its head that the caller makes (`podops.media.remote`).
`probe(path)` returns a `ProbeResult`
(format, MIME type, canonical extension, size, duration, audio parameters, image size and
mode, warnings) or raises `ProbeError(code, message)`:

    podops.media.empty             the file has no bytes
    podops.media.unsupported_type  the bytes are of no accepted type (a text file, a GIF, an
                                   Ogg Theora stream, MPEG layer II, a HEIF image...)
    podops.media.not_an_image      the caller asked for artwork and the bytes are no JPEG/PNG
    podops.media.type_mismatch     the client's name says another kind than the bytes (a PNG
                                   named `.mp3`, an SRT named `.mp4`)
    podops.media.markup            the bytes begin as markup (`<html>`, `<?xml`, `<svg>`),
                                   whatever follows: a polyglot would be a page on our origin
    podops.media.corrupt           the bytes start as an accepted type but do not parse
    podops.media.truncated         the file ends before its own headers say it does
    podops.media.too_large         beyond what podops decodes (Pillow's decompression bomb
                                   limit; transcripts over `MAX_TEXT_SIZE`)

Accepted: MP3, M4A (and raw AAC), Ogg Vorbis, Ogg Opus, FLAC, WAV; MP4, M4V, QuickTime
video; JPEG and PNG; SRT, WebVTT and JSON transcripts; JSON chapters. Their MIME types and
extensions, and why those, are in `podops.media.formats`.

MP3 duration: with a Xing/Info/VBRI frame count, mutagen's figure is exact. Without one, the
bitrate is sampled at 32 places across the file; a VBR stream then has every frame counted
(mutagen would extrapolate the first frame's bitrate), a CBR stream's duration comes from its
size (`exact_duration=False`). Counting takes about 50 ms for an hour of audio.

Truncation is found from each format's own bookkeeping: MPEG frames that run past the end or
a Xing byte/frame count the file cannot hold; MP4 boxes; Ogg's end-of-stream page; FLAC frame
headers against STREAMINFO's sample count; WAV chunk sizes; Pillow's decoder. Raw AAC (ADTS)
is not checked for truncation and its duration is mutagen's estimate.

No input makes `probe` raise anything but `ProbeError` (and `OSError` for an unreadable
path) or run long: third-party parser failures are wrapped, every walk over boxes, chunks,
blocks and frames is capped, and Pillow's decompression bomb limit is a refusal.
"""

from __future__ import annotations

from podops.media._text import MAX_TEXT_SIZE
from podops.media.errors import ProbeError, ProbeErrorCode
from podops.media.formats import Kind, MediaFormat
from podops.media.probe import probe
from podops.media.remote import remote_duration
from podops.media.result import ProbeResult, Role

__all__ = [
    "MAX_TEXT_SIZE",
    "Kind",
    "MediaFormat",
    "ProbeError",
    "ProbeErrorCode",
    "ProbeResult",
    "Role",
    "probe",
    "remote_duration",
]
