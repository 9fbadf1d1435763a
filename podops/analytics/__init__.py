"""Download analytics: honest, private counts of who listened to what.

    agents      the OPAWG user-agents-v2 patterns (vendored in `data/`): bot or listener, app,
                platform
    listeners   a listener is a daily-salted hash of network (IPv4, IPv6 /64) and User-Agent
    events      the logging path: media requests noted in memory, written in batches
    counting    the IAB 2.1 rule, pure: a minute of audio, ranges combined, once a day
    catalog     a media file's size, duration and episode
    aggregate   the workers' incremental counting into daily counts, and the pruning
    stats       reading the daily counts back: per episode, day, app or platform

The delivery routes call one hook (`podops.api.download_log`); nothing here answers HTTP.
"""
