"""The namespace's own XSD accepts every Podcast Index tag podops writes (issue 13).

The XSD (vendored under `data/podcast-namespace/`, CC0) declares a dozen of the namespace's tags,
not all: each tag of a feed that uses every tag is validated on its own, wrapped the way the
namespace's `podcast-wrapper.xsd` expects, when the XSD declares it. The test also checks that
every tag the XSD declares was among those validated, so a tag podops stops writing (or writes
under another name) cannot pass unseen.

The XSD dates from 2021; the tag documents have grown since. What they added is taken off before
validating, named below with the document that added it, and the test checks it was there, so
the list cannot go stale unseen. Those parts are checked by the lint and by partytime instead.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from lxml import etree

from feeds import render
from tests.feeds import samples
from tests.feeds.samples import NOW

PODCAST = "https://podcastindex.org/namespace/1.0"
XSD = Path(__file__).parent / "data" / "podcast-namespace"


@cache
def wrapper_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD / "podcast-wrapper.xsd")))


def declared_tags() -> set[str]:
    """The top-level elements `podcast.xsd` declares (valueRecipient only inside value)."""
    tree = etree.parse(str(XSD / "podcast.xsd"))
    top = tree.getroot().findall("{http://www.w3.org/2001/XMLSchema}element")
    return {element.get("name", "") for element in top}


# tag → (attributes, child tags) its document has and the 2021 XSD lacks
NEWER_THAN_XSD: dict[str, tuple[set[str], set[str]]] = {
    "location": ({"rel", "country"}, set()),  # docs/tags/location.md
    "value": (set(), {"valueTimeSplit"}),  # docs/tags/value-time-split.md (parent: value)
}


def without_later_additions(element: etree._Element) -> tuple[etree._Element, set[str]]:
    """A copy of `element` without what the tag documents added after the XSD; what was taken."""
    copy = etree.fromstring(etree.tostring(element))
    attributes, children = NEWER_THAN_XSD.get(etree.QName(copy).localname, (set(), set()))
    taken = {name for name in attributes if copy.attrib.pop(name, None) is not None}
    for child in list(copy):
        if etree.QName(child).localname in children:
            copy.remove(child)
            taken.add(etree.QName(child).localname)
    return copy, taken


def problems_of(element: etree._Element) -> list[str]:
    wrapper = etree.Element(f"{{{PODCAST}}}test-wrapper", nsmap={None: PODCAST})
    wrapper.append(element)
    schema = wrapper_schema()
    if schema.validate(wrapper):
        return []
    return [f"{error.line}: {error.message}" for error in schema.error_log]


def test_every_tag_the_xsd_declares_is_written_and_valid() -> None:
    feed = render(samples.namespace_show(), [samples.namespace_episode(1)], now=NOW)
    root = samples.parse(feed)
    declared = declared_tags()
    checked: set[str] = set()
    taken: dict[str, set[str]] = {}
    failures: dict[str, list[str]] = {}
    for element in root.iter(f"{{{PODCAST}}}*"):
        name = etree.QName(element).localname
        parent = element.getparent()
        nested = parent is not None and etree.QName(parent).namespace == PODCAST
        if name not in declared or nested:  # checked as part of its parent
            continue
        checked.add(name)
        valid_then, later = without_later_additions(element)
        taken.setdefault(name, set()).update(later)
        if found := problems_of(valid_then):
            failures[f"{name} in {etree.QName(parent).localname}"] = found
    assert failures == {}
    assert checked == declared - {"valueRecipient"}
    assert {
        name: attributes | children for name, (attributes, children) in NEWER_THAN_XSD.items()
    } == {name: later for name, later in taken.items() if later}
