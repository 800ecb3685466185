"""All the context tags of one photo, with their scores."""

from __future__ import annotations

from photo_tagger.context.exif import CaptureFacts
from photo_tagger.context.inherit import INHERITED_SCORE, Inheritance
from photo_tagger.context.places import Place, place_tags
from photo_tagger.context.when import FACT_SCORE, SEASONS_ROOT, when_tags


def context_tags(
    facts: CaptureFacts,
    place: Place | None = None,
    *,
    inherited: Inheritance | None = None,
    inherited_place: Place | None = None,
) -> dict[str, float]:
    """Tag -> score from a photo's capture facts and the place of its own GPS position.

    `place` (from the photo's own position) scores FACT_SCORE. For a photo without GPS,
    `inherited` and `inherited_place` (the place of `inherited.position`) give place tags scored
    INHERITED_SCORE, and the hemisphere for the season, which then scores no more than that.
    """
    own_latitude = facts.position[0] if facts.position is not None else None
    borrowed = facts.position is None and inherited is not None
    latitude = inherited.position[0] if borrowed and inherited else own_latitude

    tags = when_tags(facts, latitude)
    if borrowed:
        for tag in tags:
            if tag.startswith(SEASONS_ROOT + "/"):
                tags[tag] = min(tags[tag], INHERITED_SCORE)
    if place is not None:
        tags.update(dict.fromkeys(place_tags(place), FACT_SCORE))
    elif borrowed and inherited_place is not None:
        tags.update(dict.fromkeys(place_tags(inherited_place), INHERITED_SCORE))
    return tags
