"""Lint rules for the Podcast Index tags beyond the first eight, at both levels.

Errors: a tag without what the namespace requires (a license identifier, a location name, a
trailer's URL, a chat server and protocol, a value's recipients, an alternate enclosure's
sources, a remote item's feed GUID), a value outside the namespace's list where the list is
closed (medium, location rel, block yes/no per service once, integrity type), a value not in
the namespace's form (geo URI, OSM id, country code, recurrence rule, SRI string, srcset
widths, times and splits), bad URLs. Warnings: a slug or protocol not (yet) on the
namespace's open lists, text apps may cut, a soundbite outside 15 to 120 seconds.

The lists are the namespace's (https://github.com/Podcastindex-org/podcast-namespace at
c0ff5caa; CC0): `docs/tags/medium.md`, `serviceslugs.txt`, `docs/chatprotocols.txt`,
`socialprotocols.txt`, `docs/examples/license/licenses.json`, `docs/examples/value/`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from feeds._findings import Code, Findings
from feeds._rules import (
    PODCAST_INDEX_LABEL_MAX,
    check_length,
    check_persons,
    check_text,
    check_url,
)
from feeds._values import uri_problem
from feeds.media_types import PODCAST_MEDIA_TYPES, essence
from feeds.model import (
    AlternateEnclosure,
    Chat,
    ContentLink,
    Episode,
    ImageSource,
    License,
    LiveItem,
    Location,
    RemoteItem,
    Show,
    SocialInteract,
    Soundbite,
    Txt,
    UpdateFrequency,
    Value,
    ValueRecipient,
)

__all__ = ["KNOWN_LICENSES", "MEDIUMS", "check_episode_tags", "check_show_tags", "rrule_problem"]

_BASE_MEDIUMS = (
    "podcast",
    "music",
    "video",
    "film",
    "audiobook",
    "newsletter",
    "blog",
    "publisher",
    "course",
)
# Each medium and its list form ("musicL"), and the list medium "mixed".
MEDIUMS = frozenset({*_BASE_MEDIUMS, *(f"{medium}L" for medium in _BASE_MEDIUMS), "mixed"})
KNOWN_LICENSES = frozenset({"arr", "cc-by-4.0", "cc-by-nc-4.0", "cc-by-nc-nd-4.0", "pod-v4v-1.0"})
LOCATION_RELS = frozenset({"subject", "creator"})
INTEGRITY_TYPES = frozenset({"sri", "pgp-signature"})
CHAT_PROTOCOLS = frozenset({"irc", "xmpp", "nostr", "matrix"})
SOCIAL_PROTOCOLS = frozenset(
    {"disabled", "activitypub", "twitter", "lightning", "atproto", "hive", "matrix", "nostr"}
)
RECIPIENT_TYPES = frozenset({"node", "lnaddress"})
LIVE_STATUSES = frozenset({"pending", "live", "ended"})

SERVICE_SLUGS = frozenset(
    {
        "acast",
        "amazon",
        "anchor",
        "apple",
        "audible",
        "audioboom",
        "backtracks",
        "bitcoin",
        "blubrry",
        "buzzsprout",
        "captivate",
        "castos",
        "castopod",
        "facebook",
        "fireside",
        "fyyd",
        "google",
        "gpodder",
        "hypercatcher",
        "kasts",
        "libsyn",
        "mastodon",
        "megafono",
        "megaphone",
        "omnystudio",
        "overcast",
        "paypal",
        "pinecast",
        "podbean",
        "podcastaddict",
        "podcastguru",
        "podcastindex",
        "podcasts",
        "podchaser",
        "podcloud",
        "podfriend",
        "podiant",
        "podigee",
        "podnews",
        "podomatic",
        "podserve",
        "podverse",
        "redcircle",
        "relay",
        "resonaterecordings",
        "rss",
        "shoutengine",
        "simplecast",
        "slack",
        "soundcloud",
        "spotify",
        "spreaker",
        "tiktok",
        "transistor",
        "twitter",
        "whooshkaa",
        "youtube",
        "zencast",
    }
)

# RFC 5870: geo:lat,lon[,alt] with optional ;crs= / ;u= parameters.
_GEO = re.compile(
    r"geo:(-?[0-9]+(?:\.[0-9]+)?),(-?[0-9]+(?:\.[0-9]+)?)(?:,-?[0-9]+(?:\.[0-9]+)?)?"
    r"(?:;[A-Za-z0-9-]+=[^;]+)*",
    re.IGNORECASE,
)
_OSM = re.compile(r"[NWR][0-9]+(?:#[0-9]+)?")
_COUNTRY = re.compile(r"[A-Z]{2}")
_HOST = re.compile(r"(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)*")
_SRI = re.compile(r"(?:sha256|sha384|sha512)-[A-Za-z0-9+/]+={0,2}(?:\s+\S+)*")
_DECIMAL = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
# RFC 5545 §3.3.10: the rule parts and what each may hold.
_FREQUENCIES = frozenset({"SECONDLY", "MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY"})
_WEEKDAY = r"(?:SU|MO|TU|WE|TH|FR|SA)"
_INTEGERS = r"[+-]?[0-9]{1,3}(?:,[+-]?[0-9]{1,3})*"
_RULE_PARTS = {
    "FREQ": re.compile("|".join(_FREQUENCIES)),
    "UNTIL": re.compile(r"[0-9]{8}(?:T[0-9]{6}Z?)?|[0-9]{4}-[0-9]{2}-[0-9]{2}(?:T[0-9:.]+Z?)?"),
    "COUNT": re.compile(r"[0-9]+"),
    "INTERVAL": re.compile(r"[0-9]+"),
    "BYSECOND": re.compile(_INTEGERS),
    "BYMINUTE": re.compile(_INTEGERS),
    "BYHOUR": re.compile(_INTEGERS),
    "BYDAY": re.compile(rf"[+-]?[0-9]{{0,2}}{_WEEKDAY}(?:,[+-]?[0-9]{{0,2}}{_WEEKDAY})*"),
    "BYMONTHDAY": re.compile(_INTEGERS),
    "BYYEARDAY": re.compile(_INTEGERS),
    "BYWEEKNO": re.compile(_INTEGERS),
    "BYMONTH": re.compile(_INTEGERS),
    "BYSETPOS": re.compile(_INTEGERS),
    "WKST": re.compile(_WEEKDAY),
}
# The namespace asks for at most 32 characters in an alternate enclosure's title and rel.
_SHORT_LABEL_MAX = 32
_TXT_MAX = 4000
_SHOW = "Show"


def rrule_problem(rule: str) -> str | None:
    """What keeps `rule` from being an RFC 5545 recurrence rule, or None."""
    seen: set[str] = set()
    for part in rule.split(";"):
        name, _, value = part.partition("=")
        name = name.strip().upper()
        pattern = _RULE_PARTS.get(name)
        if pattern is None:
            return f"has the part {part!r}, which RFC 5545 does not define"
        if name in seen:
            return f"has {name} twice"
        if not pattern.fullmatch(value.strip().upper()):
            return f"has {name}={value!r}, which is not a valid {name}"
        seen.add(name)
    if "FREQ" not in seen:
        return "has no FREQ, which RFC 5545 requires"
    if {"COUNT", "UNTIL"} <= seen:
        return "has both COUNT and UNTIL; RFC 5545 allows one"
    return None


def check_show_tags(show: Show, findings: Findings) -> None:
    """Record the problems of the show's Podcast Index tags."""
    check = _Checker(findings, _SHOW)
    if show.medium is not None and show.medium not in MEDIUMS:
        findings.error(
            Code.UNKNOWN_VALUE,
            "show.medium",
            f"{_SHOW}: the medium {show.medium!r} is not one of the Podcast Index's "
            f"({', '.join(sorted(MEDIUMS))}; case-sensitive).",
        )
    if show.license is not None:
        check.license("show.license", show.license)
    check.locations("show.locations", show.locations)
    for index, trailer in enumerate(show.trailers):
        here = f"show.trailers[{index}]"
        check.label(f"{here}.title", "trailer title", trailer.title, required=True)
        check_url(findings, f"{here}.url", _SHOW, "trailer URL", trailer.url)
        if trailer.length is not None and trailer.length <= 0:
            findings.error(
                Code.ENCLOSURE_LENGTH,
                f"{here}.length",
                f"{_SHOW}: trailer {index}'s length is {trailer.length} bytes; give its size "
                "in bytes, or none.",
            )
        if trailer.type is not None and essence(trailer.type) not in PODCAST_MEDIA_TYPES:
            findings.warning(
                Code.UNKNOWN_TYPE,
                f"{here}.type",
                f"{_SHOW}: trailer {index}'s media type {trailer.type!r} is not podcast audio "
                "or video.",
            )
        if trailer.season is not None and trailer.season < 1:
            findings.error(
                Code.INVALID_NUMBER,
                f"{here}.season",
                f"{_SHOW}: trailer {index}'s season is {trailer.season}; seasons count from 1.",
            )
    check.txt("show.txt", show.txt)
    if show.update_frequency is not None:
        check.update_frequency("show.update_frequency", show.update_frequency)
    services: set[str | None] = set()
    for index, block in enumerate(show.service_blocks):
        here = f"show.service_blocks[{index}].service"
        service = block.service
        if service in services:
            findings.error(
                Code.INVALID_VALUE,
                here,
                f"{_SHOW}: {'service ' + repr(service) if service else 'every platform'} is "
                "blocked or allowed twice; say it once.",
            )
        services.add(service)
        if service is not None and service not in SERVICE_SLUGS:
            findings.warning(
                Code.UNKNOWN_VALUE,
                here,
                f"{_SHOW}: {service!r} is not on the Podcast Index's service slug list, so no "
                "platform may recognise itself in this block.",
            )
    if show.publisher is not None:
        check.remote_item("show.publisher", show.publisher)
        if show.publisher.medium != "publisher":
            findings.error(
                Code.INVALID_VALUE,
                "show.publisher.medium",
                f"{_SHOW}: the publisher's remote item must have the medium 'publisher'.",
            )
    if show.chat is not None:
        check.chat("show.chat", show.chat)
    check.image_srcset("show.image_srcset", show.image_srcset)
    check.values("show.values", show.values)
    check.social_interacts("show.social_interacts", show.social_interacts)
    for field, items in (("podroll", show.podroll), ("remote_items", show.remote_items)):
        for index, item in enumerate(items):
            check.remote_item(f"show.{field}[{index}]", item)
    guids: dict[str, int] = {}
    for index, live in enumerate(show.live_items):
        here = f"show.live_items[{index}]"
        check.live_item(here, index, live)
        first = guids.setdefault(live.guid, index)
        if first != index:
            findings.error(
                Code.DUPLICATE_GUID,
                f"{here}.guid",
                f"{_SHOW}: live item {index} has the GUID of live item {first}; apps would "
                "take them for one.",
            )


def check_episode_tags(episode: Episode, path: str, subject: str, findings: Findings) -> None:
    """Record the problems of the episode's Podcast Index tags (`path` is the episode's)."""
    check = _Checker(findings, subject)
    if episode.season_name is not None:
        check.label(f"{path}.season_name", "season name", episode.season_name, required=False)
        if episode.season is None:
            findings.error(
                Code.MISSING,
                f"{path}.season",
                f"{subject}: the season has a name but no number; podcast:season needs one.",
            )
    for index, soundbite in enumerate(episode.soundbites):
        check.soundbite(f"{path}.soundbites[{index}]", index, soundbite, episode.duration)
    check.locations(f"{path}.locations", episode.locations)
    if episode.license is not None:
        check.license(f"{path}.license", episode.license)
    for index, alternate in enumerate(episode.alternate_enclosures):
        check.alternate_enclosure(f"{path}.alternate_enclosures[{index}]", index, alternate)
    if sum(alternate.default for alternate in episode.alternate_enclosures) > 1:
        findings.warning(
            Code.INVALID_VALUE,
            f"{path}.alternate_enclosures",
            f"{subject}: more than one alternate enclosure is the default; apps take one.",
        )
    check.image_srcset(f"{path}.image_srcset", episode.image_srcset)
    check.txt(f"{path}.txt", episode.txt)
    if episode.chat is not None:
        check.chat(f"{path}.chat", episode.chat)
    check.values(f"{path}.values", episode.values)
    check.social_interacts(f"{path}.social_interacts", episode.social_interacts)
    for index, link in enumerate(episode.content_links):
        check.content_link(f"{path}.content_links[{index}]", link)


class _Checker:
    """The rules shared by the show and its episodes, for one subject."""

    def __init__(self, findings: Findings, subject: str) -> None:
        self.findings = findings
        self.subject = subject

    def error(self, code: Code, path: str, what: str) -> None:
        self.findings.error(code, path, f"{self.subject}: {what}.")

    def warning(self, code: Code, path: str, what: str) -> None:
        self.findings.warning(code, path, f"{self.subject}: {what}.")

    def label(self, path: str, label: str, text: str, *, required: bool) -> None:
        if required and not text.strip():
            self.error(Code.MISSING, path, f"the {label} is missing")
        check_length(self.findings, path, self.subject, label, text, PODCAST_INDEX_LABEL_MAX)
        check_text(self.findings, path, self.subject, label, text)

    def uri(self, path: str, label: str, uri: str) -> None:
        """A URI that may use another scheme than http(s): ipfs, magnet, at://."""
        problem = uri_problem(uri)
        if problem is not None:
            code, what = problem
            self.error(code, path, f"the {label} {what}")

    def license(self, path: str, license: License) -> None:
        self.label(f"{path}.identifier", "licence", license.identifier, required=True)
        if license.url is not None:
            check_url(self.findings, f"{path}.url", self.subject, "licence URL", license.url)
        elif license.identifier.strip() and license.identifier.lower() not in KNOWN_LICENSES:
            self.error(
                Code.MISSING,
                f"{path}.url",
                f"the licence {license.identifier!r} is not one the Podcast Index lists "
                f"({', '.join(sorted(KNOWN_LICENSES))}); a custom licence needs the URL of "
                "its full text",
            )

    def locations(self, path: str, locations: tuple[Location, ...]) -> None:
        for index, location in enumerate(locations):
            here = f"{path}[{index}]"
            self.label(f"{here}.name", "location's name", location.name, required=True)
            geo = location.geo
            if geo is not None:
                match = _GEO.fullmatch(geo)
                if match is None or not (
                    abs(float(match[1])) <= 90 and abs(float(match[2])) <= 180
                ):
                    self.error(
                        Code.INVALID_VALUE,
                        f"{here}.geo",
                        f"the location's geo {geo!r} is not an RFC 5870 geo URI such as "
                        "geo:30.2672,-97.7431 (latitude -90 to 90, longitude -180 to 180)",
                    )
            if location.osm is not None and not _OSM.fullmatch(location.osm):
                self.error(
                    Code.INVALID_VALUE,
                    f"{here}.osm",
                    f"the location's osm {location.osm!r} is not an OpenStreetMap type "
                    "(N, W or R) and id, such as R113314",
                )
            if location.rel is not None and location.rel not in LOCATION_RELS:
                self.error(
                    Code.UNKNOWN_VALUE,
                    f"{here}.rel",
                    f"the location's rel {location.rel!r} is not 'subject' or 'creator'",
                )
            if location.country is not None and not _COUNTRY.fullmatch(location.country):
                self.error(
                    Code.INVALID_VALUE,
                    f"{here}.country",
                    f"the location's country {location.country!r} is not an ISO 3166-1 "
                    "alpha-2 code such as US",
                )

    def txt(self, path: str, records: tuple[Txt, ...]) -> None:
        for index, record in enumerate(records):
            here = f"{path}[{index}]"
            if not record.text.strip():
                self.error(Code.MISSING, f"{here}.text", f"txt record {index} is empty")
            check_length(self.findings, f"{here}.text", self.subject, "txt", record.text, _TXT_MAX)
            check_text(self.findings, f"{here}.text", self.subject, "txt", record.text)
            if record.purpose is not None:
                check_length(
                    self.findings,
                    f"{here}.purpose",
                    self.subject,
                    "txt purpose",
                    record.purpose,
                    PODCAST_INDEX_LABEL_MAX,
                )
            if record.purpose == "ai-content" and record.text not in ("true", "false"):
                self.error(
                    Code.INVALID_VALUE,
                    f"{here}.text",
                    f"the ai-content txt is {record.text!r}; it must be true or false",
                )

    def update_frequency(self, path: str, frequency: UpdateFrequency) -> None:
        self.label(f"{path}.label", "update frequency", frequency.label, required=True)
        rule = frequency.rrule
        if rule is None:
            return
        problem = rrule_problem(rule)
        if problem is not None:
            self.error(Code.INVALID_VALUE, f"{path}.rrule", f"the recurrence rule {problem}")
        elif "COUNT=" in rule.upper() and frequency.starts is None:
            self.error(
                Code.MISSING,
                f"{path}.starts",
                "the recurrence rule has a COUNT, so it needs the date it starts from",
            )

    def remote_item(self, path: str, item: RemoteItem) -> None:
        if not item.feed_guid.strip():
            self.error(Code.MISSING, f"{path}.feed_guid", "a remote item has no feed GUID")
        elif not _UUID.fullmatch(item.feed_guid):
            self.error(
                Code.INVALID_PODCAST_GUID,
                f"{path}.feed_guid",
                f"the remote feed GUID {item.feed_guid!r} is not a podcast:guid (a UUID)",
            )
        if item.feed_url is not None:
            check_url(
                self.findings, f"{path}.feed_url", self.subject, "remote feed URL", item.feed_url
            )
        if item.medium is not None and item.medium not in MEDIUMS:
            self.error(
                Code.UNKNOWN_VALUE,
                f"{path}.medium",
                f"the remote item's medium {item.medium!r} is not one of the Podcast Index's",
            )
        if item.title is not None:
            check_length(
                self.findings,
                f"{path}.title",
                self.subject,
                "remote item's title",
                item.title,
                PODCAST_INDEX_LABEL_MAX,
            )

    def chat(self, path: str, chat: Chat) -> None:
        if not _HOST.fullmatch(chat.server):
            self.error(
                Code.INVALID_VALUE,
                f"{path}.server",
                f"the chat server {chat.server!r} is not a host name (no scheme, no path), "
                "such as irc.zeronode.net",
            )
        if not chat.protocol.strip():
            self.error(Code.MISSING, f"{path}.protocol", "the chat protocol is missing")
        elif chat.protocol not in CHAT_PROTOCOLS:
            self.warning(
                Code.UNKNOWN_VALUE,
                f"{path}.protocol",
                f"the chat protocol {chat.protocol!r} is not on the Podcast Index's list "
                f"({', '.join(sorted(CHAT_PROTOCOLS))})",
            )

    def image_srcset(self, path: str, images: tuple[ImageSource, ...]) -> None:
        for index, image in enumerate(images):
            here = f"{path}[{index}]"
            check_url(self.findings, f"{here}.url", self.subject, "image URL", image.url)
            if any(char in image.url for char in " ,"):
                self.error(
                    Code.INVALID_URL,
                    f"{here}.url",
                    "an image URL in a srcset cannot hold a comma (write it as %2C)",
                )
            if image.width < 1:
                self.error(
                    Code.INVALID_NUMBER,
                    f"{here}.width",
                    f"image {index}'s width is {image.width}; give its width in pixels",
                )

    def values(self, path: str, values: tuple[Value, ...]) -> None:
        for index, value in enumerate(values):
            here = f"{path}[{index}]"
            for field, label, text in (
                ("type", "type", value.type),
                ("method", "method", value.method),
            ):
                if not text.strip():
                    self.error(
                        Code.MISSING, f"{here}.{field}", f"value block {index} has no {label}"
                    )
            if value.suggested is not None and not _DECIMAL.fullmatch(value.suggested):
                self.error(
                    Code.INVALID_NUMBER,
                    f"{here}.suggested",
                    f"the suggested amount {value.suggested!r} is not a decimal number",
                )
            if not value.recipients:
                self.error(
                    Code.MISSING, f"{here}.recipients", f"value block {index} has no recipient"
                )
            self.recipients(f"{here}.recipients", value.recipients)
            for number, split in enumerate(value.time_splits):
                at = f"{here}.time_splits[{number}]"
                if split.start_time < 0 or split.duration <= 0:
                    self.error(
                        Code.INVALID_NUMBER,
                        at,
                        f"time split {number} starts at {split.start_time:g} s and lasts "
                        f"{split.duration:g} s; it must start at 0 or later and last",
                    )
                if bool(split.recipients) == (split.remote_item is not None):
                    self.error(
                        Code.INVALID_VALUE,
                        at,
                        f"time split {number} must hold either recipients or one remote item",
                    )
                self.recipients(f"{at}.recipients", split.recipients)
                if split.remote_item is not None:
                    self.remote_item(f"{at}.remote_item", split.remote_item)
                percentage = split.remote_percentage
                if percentage is not None and not 0 <= percentage <= 100:
                    self.error(
                        Code.INVALID_NUMBER,
                        f"{at}.remote_percentage",
                        f"time split {number}'s remote percentage is {percentage}; 0 to 100",
                    )
                if split.remote_start_time is not None and split.remote_start_time < 0:
                    self.error(
                        Code.INVALID_NUMBER,
                        f"{at}.remote_start_time",
                        f"time split {number}'s remote start time is negative",
                    )

    def recipients(self, path: str, recipients: Iterable[ValueRecipient]) -> None:
        for index, recipient in enumerate(recipients):
            here = f"{path}[{index}]"
            if not recipient.address.strip():
                self.error(Code.MISSING, f"{here}.address", f"recipient {index} has no address")
            if recipient.split < 0:
                self.error(
                    Code.INVALID_NUMBER,
                    f"{here}.split",
                    f"recipient {index}'s split is {recipient.split}; shares count from 0",
                )
            if recipient.type not in RECIPIENT_TYPES:
                self.warning(
                    Code.UNKNOWN_VALUE,
                    f"{here}.type",
                    f"recipient {index}'s type {recipient.type!r} is not one the Podcast "
                    f"Index knows ({', '.join(sorted(RECIPIENT_TYPES))})",
                )

    def social_interacts(self, path: str, socials: tuple[SocialInteract, ...]) -> None:
        for index, social in enumerate(socials):
            here = f"{path}[{index}]"
            if social.protocol not in SOCIAL_PROTOCOLS:
                self.warning(
                    Code.UNKNOWN_VALUE,
                    f"{here}.protocol",
                    f"the social protocol {social.protocol!r} is not on the Podcast Index's "
                    f"list ({', '.join(sorted(SOCIAL_PROTOCOLS))})",
                )
            if social.protocol == "disabled":
                continue
            if social.uri is None:
                self.error(Code.MISSING, f"{here}.uri", f"social post {index} has no URI")
            else:
                self.uri(f"{here}.uri", "social post's URI", social.uri)
            if social.account_url is not None:
                check_url(
                    self.findings,
                    f"{here}.account_url",
                    self.subject,
                    "social account URL",
                    social.account_url,
                )
            if social.priority is not None and social.priority < 0:
                self.error(Code.INVALID_NUMBER, f"{here}.priority", "a social priority is negative")

    def soundbite(
        self, path: str, index: int, soundbite: Soundbite, duration: float | None
    ) -> None:
        start, length = soundbite.start_time, soundbite.duration
        if start < 0 or length <= 0:
            self.error(
                Code.INVALID_NUMBER,
                path,
                f"soundbite {index} starts at {start:g} s and lasts {length:g} s; it must "
                "start at 0 or later and last",
            )
        elif duration is not None and start + length > duration:
            self.error(
                Code.INVALID_NUMBER,
                path,
                f"soundbite {index} ends at {start + length:g} s, after the episode "
                f"({duration:g} s)",
            )
        elif not 15 <= length <= 120:
            self.warning(
                Code.DURATION,
                f"{path}.duration",
                f"soundbite {index} lasts {length:g} s; the Podcast Index suggests 15 to 120",
            )
        self.label(f"{path}.title", "soundbite title", soundbite.title, required=False)

    def alternate_enclosure(self, path: str, index: int, alternate: AlternateEnclosure) -> None:
        if not alternate.type.strip():
            self.error(Code.MISSING, f"{path}.type", f"alternate enclosure {index} has no type")
        if not alternate.sources:
            self.error(
                Code.MISSING, f"{path}.sources", f"alternate enclosure {index} has no source"
            )
        for number, source in enumerate(alternate.sources):
            self.uri(f"{path}.sources[{number}].uri", "alternate media URI", source.uri)
        for field, value in (
            ("length", alternate.length),
            ("bitrate", alternate.bitrate),
            ("height", alternate.height),
        ):
            if value is not None and value < 0:
                self.error(
                    Code.INVALID_NUMBER,
                    f"{path}.{field}",
                    f"alternate enclosure {index}'s {field} is negative",
                )
        for field, text in (("title", alternate.title), ("rel", alternate.rel)):
            if text is not None:
                check_length(
                    self.findings,
                    f"{path}.{field}",
                    self.subject,
                    f"alternate enclosure's {field}",
                    text,
                    _SHORT_LABEL_MAX,
                )
        integrity = alternate.integrity
        if integrity is None:
            return
        if integrity.type not in INTEGRITY_TYPES:
            self.error(
                Code.UNKNOWN_VALUE,
                f"{path}.integrity.type",
                f"the integrity type {integrity.type!r} is not 'sri' or 'pgp-signature'",
            )
        elif integrity.type == "sri" and not _SRI.fullmatch(integrity.value):
            self.error(
                Code.INVALID_VALUE,
                f"{path}.integrity.value",
                "the integrity value is not an SRI string such as sha384-<base64 digest>",
            )
        elif not integrity.value.strip():
            self.error(Code.MISSING, f"{path}.integrity.value", "the signature is missing")

    def live_item(self, path: str, index: int, live: LiveItem) -> None:
        what = f"live item {index}"
        if live.status not in LIVE_STATUSES:
            self.error(
                Code.UNKNOWN_VALUE,
                f"{path}.status",
                f"{what}'s status {live.status!r} is not pending, live or ended",
            )
        if not live.guid.strip():
            self.error(Code.MISSING, f"{path}.guid", f"{what} has no GUID")
        self.label(f"{path}.title", "live item's title", live.title, required=True)
        if live.end is None:
            if live.status == "ended":
                self.error(Code.MISSING, f"{path}.end", f"{what} has ended but has no end time")
            else:
                self.warning(
                    Code.MISSING,
                    f"{path}.end",
                    f"{what} has no end time; the Podcast Index asks for one, so apps can "
                    "show how long the stream lasts",
                )
        elif live.end < live.start:
            self.error(Code.INVALID_VALUE, f"{path}.end", f"{what} ends before it starts")
        stream = live.enclosure
        if stream is None:
            self.error(
                Code.MISSING,
                f"{path}.enclosure",
                f"{what} has no enclosure: apps play the stream from it",
            )
        else:
            check_url(
                self.findings, f"{path}.enclosure.url", self.subject, "stream URL", stream.url
            )
            if not stream.type.strip():
                self.error(Code.MISSING, f"{path}.enclosure.type", f"{what}'s stream has no type")
            if stream.length < 0:
                self.error(
                    Code.ENCLOSURE_LENGTH,
                    f"{path}.enclosure.length",
                    f"{what}'s stream length is negative",
                )
        if not live.content_links:
            self.warning(
                Code.MISSING,
                f"{path}.content_links",
                f"{what} has no content link; the Podcast Index asks for one, for apps that "
                "cannot play the stream",
            )
        if live.link:
            check_url(self.findings, f"{path}.link", self.subject, "live item's link", live.link)
        check_text(
            self.findings, f"{path}.description", self.subject, "description", live.description
        )
        check_persons(self.findings, f"{path}.persons", self.subject, live.persons)
        for number, alternate in enumerate(live.alternate_enclosures):
            self.alternate_enclosure(f"{path}.alternate_enclosures[{number}]", number, alternate)
        self.image_srcset(f"{path}.image_srcset", live.image_srcset)
        self.values(f"{path}.values", live.values)
        if live.chat is not None:
            self.chat(f"{path}.chat", live.chat)
        for number, link in enumerate(live.content_links):
            self.content_link(f"{path}.content_links[{number}]", link)

    def content_link(self, path: str, link: ContentLink) -> None:
        self.uri(f"{path}.href", "content link", link.href)
        if not link.text.strip():
            self.warning(
                Code.MISSING, f"{path}.text", "a content link has no text to say where it leads"
            )
        check_text(self.findings, f"{path}.text", self.subject, "content link's text", link.text)
