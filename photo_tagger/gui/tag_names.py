"""What the user typed, as a tag name: parts of the tag tree separated by "/", each trimmed, the
empty ones dropped ("  Holidays / /Lisbon " is "Holidays/Lisbon"). Plain functions, no Qt."""

from __future__ import annotations


def tag_name(text: str) -> str:
    """The tag `text` names; "" when it names none (only spaces and slashes)."""
    return "/".join(part.strip() for part in text.split("/") if part.strip())


def renamed_tag(tag: str, text: str) -> str | None:
    """The new name of `tag` when the user typed `text` to rename it, or None when that changes
    nothing (empty, or the same name). A name without "/" keeps the tag where it is in the tree
    ("Events/2024/Lisbon" renamed "Ana's wedding" is "Events/2024/Ana's wedding"); a path is the
    whole new name."""
    parent, _, leaf = tag.rpartition("/")
    new = tag_name(text)
    if not new or new in (leaf, tag):
        return None
    if "/" not in new and parent:
        return f"{parent}/{new}"
    return new
