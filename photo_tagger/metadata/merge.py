"""Merging what photo-tagger wants into an existing packet, never clobbering anything else.

Which values are ours: the sidecar remembers, in photo-tagger's own namespace
(`phototagger:Subject`, `phototagger:HierarchicalSubject`, `phototagger:TagsList`,
`phototagger:Regions`), exactly which keywords and face regions photo-tagger put there. An export
then, field by field:
- adds what the library has and the field lacks (and remembers it as ours);
- removes what it remembers writing that the library no longer has (a tag removed, a person
  renamed or unnamed);
- leaves everything else exactly as it was: other fields, other namespaces, keywords and regions
  written by a person or another application, even when one equals a value of ours (a keyword that
  was in the file before we wrote it is never ours, so we never remove it).
A face region another application already has, same name and overlapping, is not written twice.
The rating and pick flags are single values: ratings.py writes what the user set over them.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from photo_tagger.metadata.keywords import KeywordFields, keyword_fields, parts
from photo_tagger.metadata.model import PEOPLE_BRANCH, FileMarks, PhotoMetadata
from photo_tagger.metadata.packet import (
    DC,
    DIGIKAM,
    LR,
    MP,
    MPRI,
    MWG_RS,
    PHOTO_TAGGER,
    RDF,
    Packet,
    append,
    array_element,
    array_items,
    bag,
    q,
    remove,
    struct_holder,
    text_element,
)
from photo_tagger.metadata.ratings import merge_marks
from photo_tagger.metadata.regions import (
    NewRegion,
    Region,
    add_items,
    applied_to,
    mp_list,
    mwg_list,
    new_mp_info,
    new_mwg_regions,
    normalise,
    overlap,
    read_mp,
    read_mwg,
    stored_area,
    stored_size,
)

SAME_FACE = 0.5  # intersection over union above which two regions are the same face
RECORD_FIELDS = ("Subject", "HierarchicalSubject", "TagsList", "Regions")


@dataclass(frozen=True)
class Wanted:
    keywords: KeywordFields
    regions: tuple[NewRegion, ...]
    stored_size: tuple[int, int] | None  # AppliedToDimensions, when we write regions
    marks: FileMarks = FileMarks()  # the rating and flags (ratings.py)

    @property
    def empty(self) -> bool:
        return not self.keywords.tags_list and not self.regions and self.marks.empty


def wanted(meta: PhotoMetadata, orientation: int) -> Wanted:
    """The keywords and regions `meta` asks for; person names become People/<name> keywords."""
    names = [" ".join(f.name.split()) for f in meta.faces]
    tags = [*meta.tags, *(f"{PEOPLE_BRANCH}/{n}" for n in names if n)]
    regions: list[NewRegion] = []
    size = None
    if meta.width and meta.height:
        size = stored_size(meta.width, meta.height, orientation)
        for name, face in zip(names, meta.faces, strict=True):
            area = stored_area(normalise(face.box, meta.width, meta.height), orientation)
            if name and area[2] > area[0] and area[3] > area[1]:
                regions.append(NewRegion(name, area))
    keywords = keyword_fields(t for t in tags if parts(t))
    return Wanted(keywords, tuple(regions), size, meta.marks)


def merge(packet: Packet, want: Wanted) -> None:
    """Make `packet` hold what `want` says, keeping everything that is not ours."""
    old = read_record(packet)
    kw = want.keywords
    new = {
        "Subject": _merge_list(packet, (DC, "subject", "Bag"), kw.subject, old["Subject"]),
        "HierarchicalSubject": _merge_list(
            packet, (LR, "hierarchicalSubject", "Bag"), kw.hierarchical, old["HierarchicalSubject"]
        ),
        "TagsList": _merge_list(
            packet, (DIGIKAM, "TagsList", "Seq"), kw.tags_list, old["TagsList"]
        ),
        "Regions": [
            *_merge_mwg(packet, want, old["Regions"]),
            *_merge_mp(packet, want, old["Regions"]),
        ],
    }
    write_record(packet, new)
    merge_marks(packet, want.marks)


# --- what we wrote last time ----------------------------------------------------------------------


def read_record(packet: Packet) -> dict[str, set[str]]:
    return {
        name: {v for _, prop in packet.properties(PHOTO_TAGGER, name) for v in array_items(prop)}
        for name in RECORD_FIELDS
    }


def write_record(packet: Packet, record: dict[str, list[str]]) -> None:
    for name in RECORD_FIELDS:
        values = record[name]
        props = list(packet.properties(PHOTO_TAGGER, name))
        if len(props) == 1 and array_items(props[0][1]) == values:
            continue
        for description, prop in props:
            remove(description, prop)
        if values:
            append(packet.description(), bag(q(PHOTO_TAGGER, name), values))


# --- keyword lists --------------------------------------------------------------------------------


def _merge_list(
    packet: Packet, prop_name: tuple[str, str, str], want: Sequence[str], ours: set[str]
) -> list[str]:
    """Add `want` to the array property (namespace, name, array kind), drop what we wrote before
    and no longer want; returns the values that are ours now."""
    namespace, local, kind = prop_name
    props = list(packet.properties(namespace, local))
    current = {v for _, prop in props for v in array_items(prop)}
    drop = (ours - set(want)) & current
    for description, prop in props:
        array = array_element(prop)
        if array is None or not drop:
            continue
        for li in list(array):
            if li.tag == q(RDF, "li") and (li.text or "") in drop:
                remove(array, li)
        if len(array) == 0:
            remove(description, prop)
    add = [v for v in want if v not in current]
    live = _live(packet)
    target = next((p for _, p in props if p in live), None)
    if target is not None and add:
        array = array_element(target)
        if array is None:  # a lone value where XMP wants an array: make it the array's first item
            array = ET.SubElement(target, q(RDF, kind))
            if (target.text or "").strip():
                array.append(text_element(q(RDF, "li"), (target.text or "").strip()))
            target.text = None
        for value in add:
            append(array, text_element(q(RDF, "li"), value))
    elif add:
        append(packet.description(), bag(q(namespace, local), add, kind))
    return [v for v in want if v not in current or v in ours]


def _live(packet: Packet) -> list[ET.Element]:
    """Every top-level property element still in the packet."""
    return [p for d in packet.descriptions() for p in d]


# --- face regions ---------------------------------------------------------------------------------


def _plan(
    current: list[Region],
    want: Sequence[NewRegion],
    ours: set[str],
    key: Callable[[NewRegion], str],
) -> tuple[list[Region], list[NewRegion], list[str]]:
    """(regions to remove, regions to add, keys that are ours now) for one schema."""
    foreign = [r for r in current if r.key not in ours]
    wanted_regions = [
        n
        for n in want
        if not any(f.name == n.name and overlap(f.area, n.area) >= SAME_FACE for f in foreign)
    ]
    keys = [key(n) for n in wanted_regions]
    current_keys = {r.key for r in current}
    drop = [r for r in current if r.key in ours and r.key not in keys]
    add = [n for n, k in zip(wanted_regions, keys, strict=True) if k not in current_keys]
    return drop, add, [k for k in keys if k not in current_keys or k in ours]


def _merge_mwg(packet: Packet, want: Wanted, ours: set[str]) -> list[str]:
    props = list(packet.properties(MWG_RS, "Regions"))
    current = [r for _, p in props for r in read_mwg(p)]
    drop, add, mine = _plan(current, want.regions, ours, NewRegion.mwg_key)
    own_fields = {q(MWG_RS, "AppliedToDimensions"), q(MWG_RS, "RegionList")}
    _drop_items(packet, props, drop, mwg_list, own_fields)
    if add:
        assert want.stored_size is not None  # there are regions to add, so the size was known
        items = [region.mwg_item() for region in add]
        live = [p for _, p in props if p in _live(packet)]
        if live:
            holder = struct_holder(live[0])
            if holder.find(q(MWG_RS, "AppliedToDimensions")) is None:
                append(holder, applied_to(*want.stored_size))
            add_items(live[0], MWG_RS, "RegionList", items)
        else:
            append(packet.description(), new_mwg_regions(*want.stored_size, items))
    return mine


def _merge_mp(packet: Packet, want: Wanted, ours: set[str]) -> list[str]:
    props = list(packet.properties(MP, "RegionInfo"))
    current = [r for _, p in props for r in read_mp(p)]
    drop, add, mine = _plan(current, want.regions, ours, NewRegion.mp_key)
    _drop_items(packet, props, drop, mp_list, {q(MPRI, "Regions")})
    if add:
        items = [region.mp_item() for region in add]
        live = [p for _, p in props if p in _live(packet)]
        if live:
            add_items(live[0], MPRI, "Regions", items)
        else:
            append(packet.description(), new_mp_info(items))
    return mine


def _drop_items(
    packet: Packet,
    props: list[tuple[ET.Element, ET.Element]],
    drop: list[Region],
    array_of: Callable[[ET.Element], ET.Element | None],
    own_fields: set[str],
) -> None:
    """Remove our regions; a region struct left with no region and nothing else goes too."""
    if not drop:
        return
    items = {id(r.item) for r in drop}
    for description, prop in props:
        array = array_of(prop)
        if array is None:
            continue
        for li in list(array):
            if id(li) in items:
                remove(array, li)
        holder = struct_holder(prop)
        others = [c for c in holder if c.tag not in own_fields]
        others_attrs = [k for k in holder.attrib if not k.startswith(f"{{{RDF}}}")]
        if len(array) == 0 and not others and not others_attrs:
            remove(description, prop)
