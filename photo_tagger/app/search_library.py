"""Searching a whole library from its files: what `photo-tagger search` runs (the window searches
the facts it has read already, with the same rule: search.py).

A large library is read in bulk: the catalogue (one query), what the document says of every photo's
tags as the text it keeps, the context tags and the objects of the index, who is in which photo
only when a person's name matches. That text is enough to pass over the photos that cannot match
(a term none of whose words is in it); the others are read as the window reads them (their tags
over the threshold, minus what the user removed; their people; their objects) and matched with
`Matcher`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from photo_tagger.app.search import Matcher, Term
from photo_tagger.app.search_marks import MarksQuery
from photo_tagger.app.thresholds import Threshold
from photo_tagger.store import rules
from photo_tagger.store.catalog import CID, PATH, Row, read_catalog
from photo_tagger.store.document import LibraryDocument
from photo_tagger.store.library import Library, context_scores, with_context
from photo_tagger.store.marks import NO_MARKS
from photo_tagger.store.paths import INDEX_FILE


def find(
    library: Library,
    terms: Sequence[Term],
    threshold: Threshold,
    marks: MarksQuery | None = None,
) -> list[Row]:
    """The photos of `library` with a file on this computer that match `terms` and whose rating
    and flags `marks` keeps, as catalogue rows, newest first (the window's order). No terms:
    every photo `marks` keeps."""
    rows = read_catalog(library.path / INDEX_FILE).rows
    if marks is not None:
        known = library.document.all_marks()
        rows = [r for r in rows if marks.keeps(known.get(r[CID], NO_MARKS))]
    if not terms:
        return rows
    matcher = Matcher(terms)
    doc = library.document
    names = person_names(doc)
    named = {pid for pid, name in names.items() if matcher.name_mask(name)}
    contexts = library.index.contexts()
    objects = library.index.object_labels()
    parsed: dict[str, dict[str, float]] = {}  # context text -> its tags: many photos share one
    before = _masks_before_tags(library, matcher, rows, contexts, parsed, names, named)
    for cid, labels in objects.items():
        if cid in before:
            before[cid] |= _names_mask(matcher, labels)
    full = matcher.all
    asked: set[str] = set()

    def wanted(photo_id: str, text: str) -> bool:
        asked.add(photo_id)
        mask = before.get(photo_id)
        return mask is not None and (mask == full or mask | matcher.rough_mask(text) == full)

    autos = doc.auto_tags_where(wanted)
    found = []
    for row in rows:
        cid = row[CID]
        auto = autos.get(cid)
        if auto is None:
            if cid in asked:
                continue
            auto = doc.auto_tags(cid)  # no record of the models' tags: what else it has
        context = contexts.get(cid)
        auto = with_context(parsed[context] if context is not None else {}, auto)
        tags = rules.effective_tags(auto, doc.user_tags(cid), threshold)
        people = photo_names(doc, cid, names) if named else []
        if matcher.photo(tags, people, row[PATH], objects.get(cid, ())):
            found.append(row)
    return found


def _masks_before_tags(
    library: Library,
    matcher: Matcher,
    rows: list[Row],
    contexts: dict[str, str],
    parsed: dict[str, dict[str, float]],
    names: dict[str, str],
    named: set[str],
) -> dict[str, int]:
    """Photo -> the terms (as bits) its file name, its context tags, the tags the user said
    something of and (when a name matches) its people's names may match. Fills `parsed`."""
    by_faces = _face_masks(library.document, matcher, names, named) if named else {}
    users = library.document.user_tagged()
    context_masks: dict[str, int] = {}
    masks = {}
    for row in rows:
        cid = row[CID]
        mask = matcher.file_mask(row[PATH]) | by_faces.get(cid, 0)
        context = contexts.get(cid)
        if context is not None:
            known = context_masks.get(context)
            if known is None:
                parsed[context] = scores = context_scores(context)
                known = context_masks[context] = _tags_mask(matcher, scores)
            mask |= known
        if cid in users:
            mask |= _tags_mask(matcher, users[cid])
        masks[cid] = mask
    return masks


def person_names(doc: LibraryDocument) -> dict[str, str]:
    """Person id -> name, for the people who have one (and are not merged into someone)."""
    return {p["id"]: p["name"] for p in doc.people() if p["name"] and not p.get("merged_into")}


def photo_names(doc: LibraryDocument, photo_id: str, names: dict[str, str]) -> list[str]:
    """The names of the people whose faces are in the photo (confirmed or suggested), as the
    window reads them (gui/facts.py)."""
    _, faces = doc.faces(photo_id)
    out = []
    for i in [*range(len(faces)), *doc.user_faces(photo_id)]:
        fp = doc.face_person(photo_id, i)
        if fp is not None:
            name = names.get(doc.resolve_person(fp[0]))
            if name:
                out.append(name)
    return out


def _names_mask(matcher: Matcher, names: Iterable[str]) -> int:
    mask = 0
    for name in names:
        mask |= matcher.name_mask(name)
    return mask


def _tags_mask(matcher: Matcher, tags: Iterable[str]) -> int:
    mask = 0
    for tag in tags:
        mask |= matcher.tag_mask(tag)
    return mask


def _face_masks(
    doc: LibraryDocument, matcher: Matcher, names: dict[str, str], named: set[str]
) -> dict[str, int]:
    """Photo -> the terms the names of people with a face in it may match (read at once; the
    photos kept are read again face by face)."""
    masks: dict[str, int] = {}
    resolved: dict[str, str] = {}
    for (photo_id, _), (person, _) in doc.face_people().items():
        pid = resolved.get(person)
        if pid is None:
            pid = resolved[person] = doc.resolve_person(person)
        if pid in named:
            masks[photo_id] = masks.get(photo_id, 0) | matcher.name_mask(names[pid])
    return masks
