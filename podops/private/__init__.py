"""Subscribers' private feeds: secret feed URLs, signed media URLs, and their limits.

    grants   the secrets and signatures: a feed token, a media grant, and how both are checked
    state    what the delivery path reads instead of the database: each subscriber's key
             version, request counters and distinct addresses per day (Redis or memory)
    feed     the stored private feed, its placeholders filled in for one subscriber, streamed

Why a key version. A media URL must be checkable without the database (podcatchers fetch
media in bursts of range requests), yet stop working the moment its subscriber is revoked
or their secret rotated. Each grant signs (subscriber, key version, expiry, media key) with
the installation's media key; the current version of each subscriber is kept in the same
store as the rate limits — Redis when the broker is Redis (shared by every web process),
else this process's memory (the embedded mode's single web process) — and read there on
every media request. Rotating raises the version, revoking sets it to 0: both take effect
on the next request, everywhere. A version the store does not know (Redis flushed, a fresh
process) is read from the database once and kept.

The other way — signing with a key derived from each subscriber's secret — needs the same
lookup (the secret's hash, per subscriber) to verify, so it saves nothing, and it cannot
revoke without a second piece of state. Media URLs stay the same between feed reads
(the expiry signed is the subscriber's own, or none): a podcatcher that keys downloads on
the enclosure URL never downloads an episode twice.
"""
