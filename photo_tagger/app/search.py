"""Finding photos by words: one rule for the command line (`photo-tagger search`) and the window's
search field.

A query is words and "quoted phrases". A photo matches when every one of them is a word, or a run
of words, of something the photo has:
- a tag the user sees, each part of its path on its own ("Animals/Cat": "animals", "cat";
  "Time of day/Evening": "time of day", "evening"). What the photo carries is tags too: its place
  ("Places/Portugal/Lisbon"), its date ("Dates/2024/2024-06": "2024", "2024-06"), its event;
- the name of a person whose face is in it;
- the class of an object the object detector found in it ("person", "dining table", "cell
  phone"), including the classes that give no tag (chairs, tables, bottles, cutlery);
- its file name ("IMG_1234.jpg": "img", "1234", "jpg").
Words are whole ("cat" is not in "scatter" nor in "Concatenate") and compared without case or
accents ("sao" is "São"). A word written with punctuation inside is a phrase of its parts
("2024-06", "IMG_1234"). While the user types in the window, the last word may be the start of
a word ("coff" finds "coffee"); the command line takes every word whole.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

Field = tuple[str, ...]  # the words of one thing a photo has: a tag's part, a name, a file name

_WORD = re.compile(r"[^\W_]+")  # letters and digits, in any script
_TOKEN = re.compile(r'"([^"]*)"?|([^\s"]+)')  # a "quoted phrase" (open at the end) or a word
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"'})


def fold(text: str) -> str:
    """`text` without case or accents: "São" -> "sao", "Straße" -> "strasse"."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> Field:
    """The words of `text`, folded: runs of letters and digits ("IMG_1234.jpg" -> img 1234 jpg)."""
    return tuple(_WORD.findall(fold(text)))


@dataclass(frozen=True)
class Term:
    """One word or phrase of a query: its words, in order."""

    words: Field
    prefix: bool = False  # its last word may be the start of a longer word (the user is typing)

    def matches(self, field: Field) -> bool:
        """Whether the term's words come one after the other in `field`."""
        want = self.words
        n = len(want)
        last = want[-1]
        for i in range(len(field) - n + 1):
            if field[i : i + n - 1] == want[:-1]:
                word = field[i + n - 1]
                if word == last or (self.prefix and word.startswith(last)):
                    return True
        return False

    def __str__(self) -> str:
        text = " ".join(self.words)
        return f'"{text}"' if len(self.words) > 1 else text


def parse(query: str, typing: bool = False) -> tuple[Term, ...]:
    """The terms of a query: its "quoted phrases" and its words (a word with punctuation inside
    is a phrase of its parts). `typing`: the query is being typed, so its last word, unless a
    space or a closing quote ends it, may be the start of a word."""
    query = query.translate(_QUOTES)
    terms: list[Term] = []
    bare_last = False
    for m in _TOKEN.finditer(query):
        phrase, word = m.group(1), m.group(2)
        found = words(phrase if phrase is not None else word)
        if found:
            terms.append(Term(found))
            bare_last = word is not None and m.end() == len(query)
    if typing and terms and bare_last:
        terms[-1] = replace(terms[-1], prefix=True)
    return tuple(terms)


@lru_cache(maxsize=16384)  # a library has few distinct tags, each on many photos
def tag_fields(tag: str) -> tuple[Field, ...]:
    """A tag's parts, each a field ("Places/Portugal/Lisbon": places, portugal, lisbon)."""
    return tuple(words(part) for part in tag.split("/"))


def photo_words(
    tags: Iterable[str], names: Iterable[str], path: str, objects: Iterable[str] = ()
) -> tuple[Field, ...]:
    """Everything of a photo a query may match: its tags' parts, its people's names, its file
    name, its objects' classes."""
    fields: list[Field] = []
    for tag in tags:
        fields.extend(tag_fields(tag))
    fields.extend(words(name) for name in names)
    fields.append(words(os.path.basename(path)))
    fields.extend(words(label) for label in objects)
    return tuple(fields)


def matches(terms: Sequence[Term], fields: Iterable[Field]) -> bool:
    """Whether every term matches one of the photo's fields (photo_words)."""
    fields = tuple(fields)
    return all(any(term.matches(f) for f in fields) for term in terms)


class Matcher:
    """`matches()` for many photos at once: which terms each tag and name satisfies is worked
    out once (a library has few distinct tags), so a photo costs a few lookups. A photo matches
    when the terms its tags, names and file name satisfy are all of them."""

    def __init__(self, terms: Sequence[Term]) -> None:
        self.terms = tuple(terms)
        self.all = (1 << len(self.terms)) - 1
        self._tags: dict[str, int] = {}
        self._texts: dict[str, int] = {}

    def field_mask(self, field: Field) -> int:
        """The terms (as bits) that match `field`."""
        mask = 0
        for i, term in enumerate(self.terms):
            if term.matches(field):
                mask |= 1 << i
        return mask

    def tag_mask(self, tag: str) -> int:
        mask = self._tags.get(tag)
        if mask is None:
            mask = 0
            for field in tag_fields(tag):
                mask |= self.field_mask(field)
            self._tags[tag] = mask
        return mask

    def name_mask(self, name: str) -> int:
        """The terms a person's name, or an object's class, matches."""
        mask = self._texts.get(name)
        if mask is None:
            mask = self._texts[name] = self.field_mask(words(name))
        return mask

    def file_mask(self, path: str) -> int:
        """The terms the file name matches (each file name is seen once: nothing is kept)."""
        name = os.path.basename(path)
        if name.isascii():  # every word of a term is then somewhere in its lower-case text
            low = name.lower()
            if not any(all(w in low for w in t.words) for t in self.terms):
                return 0
        return self.field_mask(words(name))

    def photo(
        self, tags: Iterable[str], names: Iterable[str], path: str, objects: Iterable[str] = ()
    ) -> bool:
        """Whether the photo with these tags, people's names, file and objects' classes matches:
        the same answer as matches(terms, photo_words(tags, names, path, objects))."""
        full = self.all
        mask = self.file_mask(path)
        for tag in tags:
            if mask == full:
                return True
            mask |= self.tag_mask(tag)
        for name in (*names, *objects):  # a person's name or a class: both matched whole
            if mask == full:
                return True
            mask |= self.name_mask(name)
        return mask == full

    def rough_mask(self, text: str) -> int:
        """The terms (as bits) whose every word is somewhere in `text`, folded: what may match
        among tags written in it. A quick look, to pass over the photos that cannot match."""
        folded = fold(text)
        mask = 0
        for i, term in enumerate(self.terms):
            if all(w in folded for w in term.words):
                mask |= 1 << i
        return mask
