"""What lint reports: a finding names a rule (`Code`), the field (`path`) and says what to do."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["Code", "Finding", "Findings"]


class Code(StrEnum):
    """The rule a finding breaks. The same code may be an error or a warning."""

    MISSING = "missing"
    TOO_LONG = "too-long"
    INVALID_URL = "invalid-url"
    NON_ASCII_URL = "non-ascii-url"
    INVALID_LANGUAGE = "invalid-language"
    INVALID_EMAIL = "invalid-email"
    INVALID_PODCAST_GUID = "invalid-podcast-guid"
    UNKNOWN_CATEGORY = "unknown-category"
    ARTWORK_SIZE = "artwork-size"
    ARTWORK_FORMAT = "artwork-format"
    ENCLOSURE_LENGTH = "enclosure-length"
    ENCLOSURE_TYPE = "enclosure-type"
    NOT_FOR_APPLE = "not-for-apple"
    UNKNOWN_TYPE = "unknown-type"
    DURATION = "duration"
    INVALID_NUMBER = "invalid-number"
    DUPLICATE_GUID = "duplicate-guid"
    DUPLICATE_ENCLOSURE_URL = "duplicate-enclosure-url"
    UNWRITABLE_TEXT = "unwritable-text"
    NO_EPISODES = "no-episodes"
    LOCKED_WITHOUT_OWNER = "locked-without-owner"
    NEW_FEED_URL_UNCHANGED = "new-feed-url-unchanged"
    # The Podcast Index tags: a value outside the namespace's list, a value not in the form
    # the namespace gives, a person's role or group outside the Podcast Taxonomy Project's.
    UNKNOWN_VALUE = "unknown-value"
    INVALID_VALUE = "invalid-value"
    UNKNOWN_PERSON_ROLE = "unknown-person-role"


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem: its rule, a message for the producer, and the field's path.

    Paths use the model's field names from `show` and `episodes` as passed to `lint`
    (`show.owner.email`, `episodes[3].enclosure.length`, `show.categories[1]`).
    """

    code: Code
    message: str
    path: str


class Findings:
    """Collects findings while the checks run."""

    def __init__(self) -> None:
        self.errors: list[Finding] = []
        self.warnings: list[Finding] = []

    def error(self, code: Code, path: str, message: str) -> None:
        """Record a problem that stops a publish."""
        self.errors.append(Finding(code, message, path))

    def warning(self, code: Code, path: str, message: str) -> None:
        """Record a problem that is reported but published anyway."""
        self.warnings.append(Finding(code, message, path))
