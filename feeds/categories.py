"""Apple Podcasts' category list, as Apple publishes it for `itunes:category`.

A copy lives here because `feeds` depends on nothing of the service. Names are compared
exactly: Apple's are case-sensitive, and `&` is part of the name (`Health & Fitness`).
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["APPLE_CATEGORIES", "is_apple_category"]

# Category → its subcategories (empty: the category takes none).
APPLE_CATEGORIES: Mapping[str, frozenset[str]] = {
    "Arts": frozenset(
        {"Books", "Design", "Fashion & Beauty", "Food", "Performing Arts", "Visual Arts"}
    ),
    "Business": frozenset(
        {"Careers", "Entrepreneurship", "Investing", "Management", "Marketing", "Non-Profit"}
    ),
    "Comedy": frozenset({"Comedy Interviews", "Improv", "Stand-Up"}),
    "Education": frozenset({"Courses", "How To", "Language Learning", "Self-Improvement"}),
    "Fiction": frozenset({"Comedy Fiction", "Drama", "Science Fiction"}),
    "Government": frozenset(),
    "History": frozenset(),
    "Health & Fitness": frozenset(
        {"Alternative Health", "Fitness", "Medicine", "Mental Health", "Nutrition", "Sexuality"}
    ),
    "Kids & Family": frozenset(
        {"Education for Kids", "Parenting", "Pets & Animals", "Stories for Kids"}
    ),
    "Leisure": frozenset(
        {
            "Animation & Manga",
            "Automotive",
            "Aviation",
            "Crafts",
            "Games",
            "Hobbies",
            "Home & Garden",
            "Video Games",
        }
    ),
    "Music": frozenset({"Music Commentary", "Music History", "Music Interviews"}),
    "News": frozenset(
        {
            "Business News",
            "Daily News",
            "Entertainment News",
            "News Commentary",
            "Politics",
            "Sports News",
            "Tech News",
        }
    ),
    "Religion & Spirituality": frozenset(
        {
            "Buddhism",
            "Christianity",
            "Hinduism",
            "Islam",
            "Judaism",
            "Religion",
            "Spirituality",
        }
    ),
    "Science": frozenset(
        {
            "Astronomy",
            "Chemistry",
            "Earth Sciences",
            "Life Sciences",
            "Mathematics",
            "Natural Sciences",
            "Nature",
            "Physics",
            "Social Sciences",
        }
    ),
    "Society & Culture": frozenset(
        {"Documentary", "Personal Journals", "Philosophy", "Places & Travel", "Relationships"}
    ),
    "Sports": frozenset(
        {
            "Baseball",
            "Basketball",
            "Cricket",
            "Fantasy Sports",
            "Football",
            "Golf",
            "Hockey",
            "Rugby",
            "Running",
            "Soccer",
            "Swimming",
            "Tennis",
            "Volleyball",
            "Wilderness",
            "Wrestling",
        }
    ),
    "Technology": frozenset(),
    "True Crime": frozenset(),
    "TV & Film": frozenset(
        {"After Shows", "Film History", "Film Interviews", "Film Reviews", "TV Reviews"}
    ),
}


def is_apple_category(name: str, subcategory: str | None = None) -> bool:
    """True when `name` (and `subcategory`, if given) is on Apple's list, under that name."""
    subcategories = APPLE_CATEGORIES.get(name)
    if subcategories is None:
        return False
    return subcategory is None or subcategory in subcategories
