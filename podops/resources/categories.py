"""Apple Podcasts categories: the 19 categories and their 91 subcategories (110 in all).

Names are matched exactly, as Apple matches `<itunes:category text="…">`: case and spelling
count ("Health & Fitness", not "Health and fitness"). A near miss is refused with a suggestion
instead of being rewritten, so the stored document always says what the feed will say.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from types import MappingProxyType

from feeds.categories import APPLE_CATEGORIES as FEED_CATEGORIES

APPLE_CATEGORIES_URL = "https://podcasters.apple.com/support/1691-apple-podcasts-categories"

# One list for the whole project: `feeds` keeps it (it depends on nothing of the service) and
# the service validates documents against the same names the feed will carry. Sorted, so
# error messages and the OpenAPI enum list them in a stable order.
APPLE_CATEGORIES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {name: tuple(sorted(subs)) for name, subs in sorted(FEED_CATEGORIES.items())}
)

# Every subcategory name is unique across the list, so this inverse is well defined.
_PARENT_OF: Mapping[str, str] = MappingProxyType(
    {sub: parent for parent, subs in APPLE_CATEGORIES.items() for sub in subs}
)
ALL_SUBCATEGORIES: tuple[str, ...] = tuple(_PARENT_OF)


class InvalidCategoryError(ValueError):
    """A category or subcategory that is not in Apple's list, or under the wrong parent."""


def check_category(name: str) -> str:
    """`name` itself if it is an Apple Podcasts category; else `InvalidCategoryError`."""
    if name in APPLE_CATEGORIES:
        return name
    if name in _PARENT_OF:
        hint = f"; it is a subcategory of {_PARENT_OF[name]!r}"
    else:
        hint = _did_you_mean(name, APPLE_CATEGORIES)
    raise InvalidCategoryError(
        f"{name[:60]!r} is not an Apple Podcasts category{hint}; see {APPLE_CATEGORIES_URL}"
    )


def check_subcategory(category: str, subcategory: str) -> str:
    """`subcategory` itself if it belongs to `category`; else `InvalidCategoryError`."""
    allowed = APPLE_CATEGORIES.get(category, ())
    if subcategory in allowed:
        return subcategory
    parent = _PARENT_OF.get(subcategory)
    if parent is not None:
        message = f"{subcategory!r} is not a subcategory of {category!r}; it belongs to {parent!r}"
    elif not allowed:
        message = f"{category!r} has no subcategories; leave subcategory out"
    else:
        message = (
            f"{subcategory[:60]!r} is not an Apple Podcasts subcategory of {category!r}"
            f"{_did_you_mean(subcategory, allowed)}; choose one of {', '.join(allowed)}"
        )
    raise InvalidCategoryError(f"{message}; see {APPLE_CATEGORIES_URL}")


def _did_you_mean(name: str, choices: Mapping[str, object] | tuple[str, ...]) -> str:
    # Case-insensitive first ("technology"), then spelling ("Tecnology").
    folded = {choice.casefold(): choice for choice in choices}
    if name.casefold() in folded:
        return f" (did you mean {folded[name.casefold()]!r}?)"
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.8)
    return f" (did you mean {close[0]!r}?)" if close else ""
