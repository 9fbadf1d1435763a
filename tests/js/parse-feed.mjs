// Reads an RSS feed on stdin, parses it with podcast-partytime (the Podcast Index parser) and
// prints what partytime found as one JSON document on stdout. Exits 1, with the reason on
// stderr, when partytime cannot parse the feed.
//
//   node tests/js/parse-feed.mjs < feed.xml
//
// Output (every key always present; null where partytime reported nothing):
//   {partytime: "<version>", warnings: [...],
//    channel: {title, guid, locked, locked_owner, categories, category_words, explicit, type,
//              new_feed_url, self_url, funding: [{url, message}], persons: [...]},
//    items: [{title, guid, enclosure: {url, length, type}, pub_date, pub_date_ms, duration,
//             season, episode, podcast_season, podcast_episode, episode_type, explicit,
//             transcripts: [{url, type, language, rel}], chapters: {url, type}, persons: [...]}]}
// plus, on the channel and on each item, `namespace`: partytime's own objects for the other
// Podcast Index tags it reads, under partytime's names (dates as ISO strings), absent keys
// left out (see CHANNEL_TAGS and ITEM_TAGS).
//
// partytime logs through pino, which writes to stdout (file descriptor 1) and would corrupt the
// JSON: its level is forced to "silent" before it loads, and its warnings and errors are
// collected into `warnings` instead.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

process.env.PARTYTIME_LOG = "silent";

const require = createRequire(import.meta.url);
const warnings = [];

function collect(source) {
  return (...args) => {
    warnings.push(
      `${source}: ${args
        .map((arg) => (typeof arg === "string" ? arg : JSON.stringify(arg)))
        .join(" ")}`,
    );
  };
}

function fail(message) {
  process.stderr.write(`parse-feed: ${message}\n`);
  for (const warning of warnings) {
    process.stderr.write(`  ${warning}\n`);
  }
  process.exit(1);
}

let partytime;
let version;
try {
  partytime = require("podcast-partytime");
  version = require("podcast-partytime/package.json").version;
} catch (error) {
  fail(`cannot load podcast-partytime (run \`npm ci\` in tests/js): ${error.message}`);
}

// The logger is internal (dist/logger.js): if a later version moves it, its output stays
// silenced and only the collected warnings are lost.
try {
  const { logger } = require("podcast-partytime/dist/logger.js");
  for (const level of ["warn", "error", "fatal"]) {
    logger[level] = collect(level);
  }
} catch {
  warnings.push("parse-feed: partytime's logger not found, its warnings are not collected");
}
console.warn = collect("console.warn");

const CHANNEL_TAGS = [
  "medium", "license", "podcastLocation", "trailers", "podcastTxt", "podcastBlocked",
  "podcastBlockedPlatforms", "podcastPublisher", "chat", "podcastImages", "value", "podroll",
  "podcastRemoteItems", "podcastLiveItems",
];
const ITEM_TAGS = [
  "podcastSeason", "podcastSoundbites", "podcastLocation", "license", "alternativeEnclosures",
  "podcastImages", "podcastTxt", "chat", "value", "podcastSocialInteraction",
];

function namespace(source, keys) {
  return JSON.parse(JSON.stringify(Object.fromEntries(keys.map((key) => [key, source[key]]))));
}

const orNull = (value) => (value === undefined || value === "" ? null : value);

function person(p) {
  return {
    name: orNull(p.name),
    role: orNull(p.role),
    group: orNull(p.group),
    href: orNull(p.href),
    img: orNull(p.img),
  };
}

function date(value) {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    return [null, null];
  }
  return [value.toISOString(), value.getTime()];
}

function item(episode) {
  const [pubDate, pubDateMs] = date(episode.pubDate);
  const enclosure = episode.enclosure;
  const chapters = episode.podcastChapters;
  return {
    title: orNull(episode.title),
    guid: orNull(episode.guid),
    enclosure: enclosure
      ? { url: orNull(enclosure.url), length: orNull(enclosure.length), type: orNull(enclosure.type) }
      : null,
    pub_date: pubDate,
    pub_date_ms: pubDateMs,
    duration: orNull(episode.duration),
    season: orNull(episode.itunesSeason),
    episode: orNull(episode.itunesEpisode),
    podcast_season: orNull(episode.podcastSeason?.number),
    podcast_episode: orNull(episode.podcastEpisode?.number),
    episode_type: orNull(episode.itunesEpisodeType),
    explicit: orNull(episode.explicit),
    transcripts: (episode.podcastTranscripts ?? []).map((t) => ({
      url: orNull(t.url),
      type: orNull(t.type),
      language: orNull(t.language),
      rel: orNull(t.rel),
    })),
    chapters: chapters ? { url: orNull(chapters.url), type: orNull(chapters.type) } : null,
    persons: (episode.podcastPeople ?? []).map(person),
    namespace: namespace(episode, ITEM_TAGS),
  };
}

let xml;
try {
  xml = readFileSync(0, "utf8");
} catch (error) {
  fail(`cannot read the feed from stdin: ${error.message}`);
}
if (!xml.trim()) {
  fail("no feed on stdin");
}

let feed;
try {
  feed = partytime.parseFeed(xml);
} catch (error) {
  fail(`podcast-partytime ${version} threw: ${error.stack ?? error}`);
}
if (!feed) {
  fail(`podcast-partytime ${version} could not parse the feed (parseFeed returned null)`);
}

const result = {
  partytime: version,
  warnings,
  channel: {
    title: orNull(feed.title),
    guid: orNull(feed.guid),
    locked: orNull(feed.locked),
    locked_owner: orNull(feed.podcastOwner),
    categories: feed.itunesCategory ?? [],
    category_words: feed.categories ?? [],
    explicit: orNull(feed.explicit),
    type: orNull(feed.itunesType),
    new_feed_url: orNull(feed.itunesNewFeedUrl),
    self_url: orNull(feed.pubsub?.self),
    funding: (feed.podcastFunding ?? []).map((f) => ({
      url: orNull(f.url),
      message: orNull(f.message),
    })),
    persons: (feed.podcastPeople ?? []).map(person),
    namespace: namespace(feed, CHANNEL_TAGS),
  },
  items: (feed.items ?? []).map(item),
};
process.stdout.write(`${JSON.stringify(result)}\n`);
