"""Feed languages: an ISO 639-1 code with an optional region, as RSS' `<language>` wants it.

Accepted case-insensitively, with '-' or '_' between language and region (`en`, `en-US`,
`pt_BR`, `es-419`), and normalised to the lower-case, hyphenated form feeds use (`en-us`).
The region is an ISO 3166-1 alpha-2 country code, or the UN M.49 code 419 (Latin America),
which Spanish-language podcasts use widely.
"""

from __future__ import annotations

import re

# ISO 639-1, every two-letter code in the standard (including the collective `bh`).
_ISO_639_1_CODES = """
    aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv
    cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr
    ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw
    ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv
    ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr
    ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi
    yo za zh zu
"""
ISO_639_1 = frozenset(_ISO_639_1_CODES.split())

# ISO 3166-1 alpha-2: the 249 officially assigned country codes, lower case.
_ISO_3166_1_CODES = """
    ad ae af ag ai al am ao aq ar as at au aw ax az ba bb bd be bf bg bh bi bj bl bm bn bo bq
    br bs bt bv bw by bz ca cc cd cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz de dj dk dm
    do dz ec ee eg eh er es et fi fj fk fm fo fr ga gb gd ge gf gg gh gi gl gm gn gp gq gr gs
    gt gu gw gy hk hm hn hr ht hu id ie il im in io iq ir is it je jm jo jp ke kg kh ki km kn
    kp kr kw ky kz la lb lc li lk lr ls lt lu lv ly ma mc md me mf mg mh mk ml mm mn mo mp mq
    mr ms mt mu mv mw mx my mz na nc ne nf ng ni nl no np nr nu nz om pa pe pf pg ph pk pl pm
    pn pr ps pt pw py qa re ro rs ru rw sa sb sc sd se sg sh si sj sk sl sm sn so sr ss st sv
    sx sy sz tc td tf tg th tj tk tl tm tn to tr tt tv tw tz ua ug um us uy uz va vc ve vg vi
    vn vu wf ws ye yt za zm zw
"""
ISO_3166_1 = frozenset(_ISO_3166_1_CODES.split())

# UN M.49 area codes accepted as regions: only Latin America is in common use for podcasts.
UN_M49_REGIONS = frozenset({"419"})

# ASCII classes and fullmatch, for the reasons given in podops.names.
_SHAPE = re.compile(r"([A-Za-z]{2})(?:[-_]([A-Za-z]{2}|[0-9]{3}))?")


class InvalidLanguageError(ValueError):
    """A language code that is not ISO 639-1, optionally with a known region."""


def normalise_language(value: str) -> str:
    """`value` as a feed language (`en`, `pt-br`); else `InvalidLanguageError` saying why."""
    match = _SHAPE.fullmatch(value)
    if match is None:
        raise InvalidLanguageError(
            f"{value[:40]!r} is not a language code; use a two-letter ISO 639-1 code with an "
            "optional region, such as 'en', 'en-us' or 'pt-br'"
        )
    language = match.group(1).lower()
    region = (match.group(2) or "").lower()
    if language not in ISO_639_1:
        raise InvalidLanguageError(f"{language!r} is not an ISO 639-1 language code")
    if region and region not in ISO_3166_1 and region not in UN_M49_REGIONS:
        raise InvalidLanguageError(
            f"{region!r} is not an ISO 3166-1 country code (in {value!r})"
            + ("; the United Kingdom is 'gb'" if region == "uk" else "")
        )
    return f"{language}-{region}" if region else language
