"""XMP packets as element trees, read and written so that what we do not touch stays as it was.

Parsing keeps every namespace prefix as the file spelt it, comments, and the text around the root
element (the `<?xpacket?>` wrapper); serialising writes them back, with every namespace declared
once on the root element. The helpers below read the RDF shapes XMP uses (arrays, structs) in each
of the spellings RDF/XML allows, since ExifTool, exiv2 and Adobe's toolkit each pick another one.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import MappingProxyType

from photo_tagger.errors import SidecarFormatError

X = "adobe:ns:meta/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XML = "http://www.w3.org/XML/1998/namespace"
DC = "http://purl.org/dc/elements/1.1/"
XMP = "http://ns.adobe.com/xap/1.0/"
LR = "http://ns.adobe.com/lightroom/1.0/"
DIGIKAM = "http://www.digikam.org/ns/1.0/"
MICROSOFT_PHOTO = "http://ns.microsoft.com/photo/1.0/"
MWG_RS = "http://www.metadataworkinggroup.com/schemas/regions/"
ST_AREA = "http://ns.adobe.com/xmp/sType/Area#"
ST_DIM = "http://ns.adobe.com/xap/1.0/sType/Dimensions#"
MP = "http://ns.microsoft.com/photo/1.2/"
MPRI = "http://ns.microsoft.com/photo/1.2/t/RegionInfo#"
MPREG = "http://ns.microsoft.com/photo/1.2/t/Region#"
# Where a sidecar remembers what photo-tagger wrote into it (see merge.py).
PHOTO_TAGGER = "http://ns.photo-tagger.org/xmp/1.0/"

# The prefixes each application's own files use, for namespaces a file did not declare yet.
PREFERRED_PREFIXES = MappingProxyType(
    {
        X: "x",
        RDF: "rdf",
        DC: "dc",
        XMP: "xmp",
        LR: "lr",
        DIGIKAM: "digiKam",
        MICROSOFT_PHOTO: "MicrosoftPhoto",
        MWG_RS: "mwg-rs",
        ST_AREA: "stArea",
        ST_DIM: "stDim",
        MP: "MP",
        MPRI: "MPRI",
        MPREG: "MPReg",
        PHOTO_TAGGER: "phototagger",
    }
)

NEW_PROLOG = '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
NEW_EPILOG = '\n<?xpacket end="w"?>\n'
INDENT = " "  # one space per level, as ExifTool and Adobe's toolkit write

# Characters XML 1.0 cannot hold at all, not even escaped: written, they would make the whole
# sidecar unreadable to every application, so they are left out of what is written.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Processing instructions (the xpacket header), comments and white space before the root element.
_PROLOG = re.compile(r"\A\ufeff?(?:\s+|<\?[^>]*\?>|<!--(?:[^-]|-(?!->))*-->)*")


def q(namespace: str, local: str) -> str:
    """ElementTree's name for namespace:local."""
    return f"{{{namespace}}}{local}"


@dataclass
class Packet:
    """One XMP packet: its tree, the prefixes it declared and the text around its root."""

    root: ET.Element
    prefixes: dict[str, str] = field(default_factory=dict)  # namespace -> prefix
    prolog: str = NEW_PROLOG
    epilog: str = NEW_EPILOG

    def rdf(self) -> ET.Element:
        if self.root.tag == q(RDF, "RDF"):
            return self.root
        found = self.root.find(q(RDF, "RDF"))
        if found is None:
            found = ET.SubElement(self.root, q(RDF, "RDF"))
        return found

    def descriptions(self) -> list[ET.Element]:
        return [d for d in self.rdf() if d.tag == q(RDF, "Description")]

    def description(self) -> ET.Element:
        """The description new properties go into (the first one, made if there is none)."""
        descriptions = self.descriptions()
        if descriptions:
            return descriptions[0]
        rdf = self.rdf()
        description = ET.Element(q(RDF, "Description"), {q(RDF, "about"): ""})
        append(rdf, description)
        return description

    def properties(self, namespace: str, local: str) -> Iterator[tuple[ET.Element, ET.Element]]:
        """(description, property element) for each top-level property of that name."""
        for description in self.descriptions():
            for child in description:
                if child.tag == q(namespace, local):
                    yield description, child

    def attribute_values(self, namespace: str, local: str) -> list[str]:
        """Simple values written as attributes of a description (`<rdf:Description dc:x="v">`)."""
        key = q(namespace, local)
        return [d.attrib[key] for d in self.descriptions() if key in d.attrib]


def new_packet(toolkit: str) -> Packet:
    root = ET.Element(q(X, "xmpmeta"), {q(X, "xmptk"): toolkit})
    rdf = ET.SubElement(root, q(RDF, "RDF"))
    ET.SubElement(rdf, q(RDF, "Description"), {q(RDF, "about"): ""})
    ET.indent(root, space=INDENT)
    return Packet(root=root)


# --- parsing --------------------------------------------------------------------------------------


class _Builder(ET.TreeBuilder):
    """Keeps comments and processing instructions, and records every prefix the file declares."""

    def __init__(self) -> None:
        super().__init__(insert_comments=True, insert_pis=True)
        self.declared: list[tuple[str, str]] = []

    def start_ns(self, prefix: str, uri: str) -> None:
        self.declared.append((prefix, uri))


def parse(data: bytes, what: str) -> Packet:
    """Parse an XMP packet; `what` names it in the error (e.g. the sidecar's path)."""
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        # XMP never has a document type; refusing it also refuses entity expansion attacks.
        raise SidecarFormatError(f"{what} is not XMP (it has a DOCTYPE); it was left as it is.")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise SidecarFormatError(
            f"{what} is not UTF-8 text, so it is not XMP we can read; it was left as it is."
        ) from None
    builder = _Builder()
    parser = ET.XMLParser(target=builder)
    try:
        parser.feed(text.lstrip("\ufeff"))
        root = parser.close()
    except ET.ParseError as exc:
        raise SidecarFormatError(
            f"{what} is not well-formed XMP ({exc}); it was left as it is. Fix or remove it."
        ) from None
    if root.tag not in (q(X, "xmpmeta"), q(RDF, "RDF"), q(X, "xapmeta")):
        raise SidecarFormatError(
            f"{what} is XML but not XMP (its root is {root.tag}); it was left as it is."
        )
    prefixes: dict[str, str] = {}
    for prefix, uri in builder.declared:
        prefixes.setdefault(uri, prefix)
    prolog = _PROLOG.match(text)
    return Packet(
        root=root,
        prefixes=prefixes,
        prolog=prolog.group(0) if prolog else "",
        epilog=_epilog(text, root.tag, prefixes),
    )


def _epilog(text: str, root_tag: str, prefixes: dict[str, str]) -> str:
    """What follows the root element's end tag (the xpacket trailer, white space)."""
    uri, local = root_tag[1:].split("}", 1)
    prefix = prefixes.get(uri)
    end_tag = f"</{prefix}:{local}" if prefix else f"</{local}"
    at = text.rfind(end_tag)
    if at < 0:  # the root element closed itself: <x:xmpmeta/>
        at = text.rfind("/>")
        return text[at + 2 :] if at >= 0 else ""
    return text[text.index(">", at) + 1 :]


# --- serialising ----------------------------------------------------------------------------------


def serialize(packet: Packet) -> bytes:
    names = _Names(packet.prefixes)
    for element in packet.root.iter():
        if isinstance(element.tag, str):
            names.use(element.tag)
            for key in element.attrib:
                names.use(key)
    out: list[str] = [packet.prolog]
    _write(packet.root, out, names, names.declarations())
    out.append(packet.epilog)
    return "".join(out).encode("utf-8")


class _Names:
    """Qualified names for the serialiser: the file's own prefixes first, then well-known ones."""

    def __init__(self, declared: dict[str, str]) -> None:
        self._declared = declared
        self._prefix: dict[str, str] = {XML: "xml"}
        self._taken = {"xml"}
        self._order: list[str] = []

    def use(self, name: str) -> None:
        if not name.startswith("{"):
            return
        uri = name[1 : name.index("}")]
        if uri in self._prefix:
            return
        wanted = self._declared.get(uri) or PREFERRED_PREFIXES.get(uri) or "ns"
        prefix, n = wanted, 1
        while prefix in self._taken:
            prefix, n = f"{wanted}{n}", n + 1
        self._prefix[uri] = prefix
        self._taken.add(prefix)
        self._order.append(uri)

    def declarations(self) -> str:
        return "".join(f' xmlns:{self._prefix[u]}="{_attr(u)}"' for u in self._order)

    def qname(self, name: str) -> str:
        if not name.startswith("{"):
            return name
        uri, local = name[1:].split("}", 1)
        return f"{self._prefix[uri]}:{local}"


def _write(element: ET.Element, out: list[str], names: _Names, declarations: str = "") -> None:
    if element.tag is ET.Comment:
        out.append(f"<!--{element.text or ''}-->")
    elif element.tag is ET.ProcessingInstruction:
        out.append(f"<?{element.text or ''}?>")
    else:
        name = names.qname(element.tag)
        attrs = "".join(f' {names.qname(k)}="{_attr(v)}"' for k, v in element.attrib.items())
        if len(element) == 0 and not element.text:
            out.append(f"<{name}{declarations}{attrs}/>")
        else:
            out.append(f"<{name}{declarations}{attrs}>{_text(element.text or '')}")
            for child in element:
                _write(child, out, names)
            out.append(f"</{name}>")
    out.append(_text(element.tail or ""))


def _text(value: str) -> str:
    value = _NOT_XML.sub("", value)
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attr(value: str) -> str:
    return (
        _text(value)
        .replace('"', "&quot;")
        .replace("\n", "&#10;")
        .replace("\r", "&#13;")
        .replace("\t", "&#9;")
    )


# --- RDF shapes -----------------------------------------------------------------------------------

ARRAYS = (q(RDF, "Bag"), q(RDF, "Seq"), q(RDF, "Alt"))


def array_element(prop: ET.Element) -> ET.Element | None:
    return next((c for c in prop if c.tag in ARRAYS), None)


def array_items(prop: ET.Element) -> list[str]:
    """The text items of an array property; a lone text value counts as a one-item array."""
    array = array_element(prop)
    if array is None:
        text = (prop.text or "").strip()
        return [text] if text and len(prop) == 0 else []
    return [li.text or "" for li in array if li.tag == q(RDF, "li")]


def struct_holder(prop: ET.Element) -> ET.Element:
    """The element whose attributes and children are the struct's fields.

    A struct is spelt `<p rdf:parseType="Resource"><f>v</f></p>`, `<p><rdf:Description f="v"/></p>`
    or `<p f="v"/>`; array items (`rdf:li`) the same way.
    """
    if prop.get(q(RDF, "parseType")) == "Resource":
        return prop
    description = prop.find(q(RDF, "Description"))
    return description if description is not None else prop


def struct_field(prop: ET.Element, namespace: str, local: str) -> str | ET.Element | None:
    """A field's text, or its element when the field is itself a struct or an array."""
    holder = struct_holder(prop)
    key = q(namespace, local)
    if key in holder.attrib:
        return holder.attrib[key]
    child = holder.find(key)
    if child is None:
        return None
    if len(child) or any(not k.startswith(f"{{{RDF}}}") for k in child.attrib):
        return child
    return child.text or ""


def struct_text(prop: ET.Element, namespace: str, local: str) -> str | None:
    value = struct_field(prop, namespace, local)
    return value if isinstance(value, str) else None


# --- editing, keeping the file's indentation ------------------------------------------------------


def append(parent: ET.Element, child: ET.Element) -> None:
    """Append `child`, indented like the parent's other children (compact if they are not)."""
    if len(parent):
        before_last = parent[-2].tail if len(parent) > 1 else parent.text
        last = parent[-1]
        child.tail = last.tail
        if before_last and not before_last.strip() and "\n" in before_last:
            last.tail = before_last
            ET.indent(child, space=INDENT, level=len(before_last.rsplit("\n", 1)[1]))
    parent.append(child)


def remove(parent: ET.Element, child: ET.Element) -> None:
    """Remove `child`, handing its tail (the closing indentation) to the child before it."""
    children = list(parent)
    i = children.index(child)
    if i == len(children) - 1 and i > 0:
        children[i - 1].tail = child.tail
    parent.remove(child)
    if len(parent) == 0 and parent.text is not None and not parent.text.strip():
        parent.text = None


def text_element(tag: str, text: str) -> ET.Element:
    element = ET.Element(tag)
    element.text = text
    return element


def bag(tag: str, items: list[str], kind: str = "Bag") -> ET.Element:
    prop = ET.Element(tag)
    array = ET.SubElement(prop, q(RDF, kind))
    for item in items:
        ET.SubElement(array, q(RDF, "li")).text = item
    return prop
