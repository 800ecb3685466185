"""What the user typed, as a tag name: parts of the tag tree separated by "/", each trimmed, the
empty ones dropped ("  Holidays / /Lisbon " is "Holidays/Lisbon"), then held to the rule every
stored tag follows (store.rules.clean_tag: no control character, not too long). Plain
functions, no Qt."""

from __future__ import annotations

from photo_tagger.errors import TagNameError
from photo_tagger.store.rules import clean_tag


def tag_name(text: str) -> str:
    """The tag `text` names; "" when it names none (only spaces and slashes). Raises
    TagNameError, saying why, when it names one that cannot be stored."""
    name = "/".join(part.strip() for part in text.split("/") if part.strip())
    return clean_tag(name) if name else ""


def tag_name_problem(text: str) -> str | None:
    """Why `text` cannot be a tag, in words, or None when it can (or names none)."""
    try:
        tag_name(text)
    except TagNameError as exc:
        return str(exc)
    return None


def renamed_tag(tag: str, text: str) -> str | None:
    """The new name of `tag` when the user typed `text` to rename it, or None when that changes
    nothing (empty, the same name, or a name that cannot be stored). A name without "/" keeps
    the tag where it is in the tree ("Events/2024/Lisbon" renamed "Ana's wedding" is
    "Events/2024/Ana's wedding"); a path is the whole new name."""
    parent, _, leaf = tag.rpartition("/")
    if tag_name_problem(text):
        return None
    new = tag_name(text)
    if not new or new in (leaf, tag):
        return None
    if "/" not in new and parent:
        return tag_name(f"{parent}/{new}") if not tag_name_problem(f"{parent}/{new}") else None
    return new
