"""Arbitrary bytes for fuzzing the readers: pure noise, and real small photos of every format we
read, damaged the ways files get damaged (bytes overwritten, cut short, spliced)."""

from __future__ import annotations

import io
from functools import cache

import numpy as np
import piexif
import pillow_heif
from hypothesis import strategies as st
from PIL import Image

from tests.imaging.dng import write_dng

XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
    b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" '
    b'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:subject><rdf:Bag><rdf:li>Cat</rdf:li>'
    b"</rdf:Bag></dc:subject></rdf:Description></rdf:RDF></x:xmpmeta>"
)


def _pixels() -> np.ndarray:
    y, x = np.mgrid[0:48, 0:64]
    return np.stack([x * 4, y * 5, (x + y) * 2], axis=2).astype(np.uint8)


def _saved(fmt: str, **options: object) -> bytes:
    out = io.BytesIO()
    Image.fromarray(_pixels()).save(out, fmt, **options)
    return out.getvalue()


def _heif(fmt: str) -> bytes:
    out = io.BytesIO()
    pillow_heif.from_pillow(Image.fromarray(_pixels())).save(out, format=fmt, quality=50)
    return out.getvalue()


@cache
def seeds() -> tuple[bytes, ...]:
    """One small, whole photo of each format, with EXIF (GPS, orientation) and XMP in the JPEG."""
    exif = piexif.dump(
        {
            "0th": {piexif.ImageIFD.Orientation: 6, piexif.ImageIFD.Make: b"Test"},
            "GPS": {
                piexif.GPSIFD.GPSLatitudeRef: b"N",
                piexif.GPSIFD.GPSLatitude: ((41, 1), (8, 1), (60, 1)),
                piexif.GPSIFD.GPSLongitudeRef: b"W",
                piexif.GPSIFD.GPSLongitude: ((8, 1), (36, 1), (3000, 100)),
            },
        }
    )
    return (
        _saved("JPEG", exif=exif, xmp=XMP, quality=60),
        _saved("PNG"),
        _saved("WEBP", quality=50),
        _saved("TIFF", exif=exif),
        _heif("HEIF"),  # this libheif has no AVIF encoder; AVIF is read by the same decoder
        write_dng(_pixels()),
        write_dng(_pixels(), orientation=6, preview=_pixels()),
    )


@st.composite
def damaged(draw: st.DrawFn, seed: bytes) -> bytes:
    data = bytearray(seed)
    for _ in range(draw(st.integers(0, 8))):
        at = draw(st.integers(0, len(data) - 1))
        data[at] = draw(st.integers(0, 255))
    if draw(st.booleans()):
        start = draw(st.integers(0, len(data)))
        data[start:start] = draw(st.binary(max_size=64))
    if draw(st.booleans()):
        del data[draw(st.integers(0, len(data))) :]
    return bytes(data)


def photo_bytes() -> st.SearchStrategy[bytes]:
    """Noise, a format's first bytes then noise, or a real photo damaged."""

    def strategy() -> st.SearchStrategy[bytes]:  # the seeds are made when a test first draws
        heads = [seed[:16] for seed in seeds()]
        return st.one_of(
            st.binary(max_size=512),
            st.tuples(st.sampled_from(heads), st.binary(max_size=512)).map(b"".join),
            st.sampled_from(seeds()).flatmap(damaged),
        )

    return st.deferred(strategy)


def _escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")


# what the fields of a well-formed packet may hold: any text, and numbers at their edges
_VALUES = st.one_of(
    st.text(st.characters(exclude_categories=("Cs", "Cc")), max_size=40).map(_escaped),
    st.sampled_from(["nan", "inf", "-inf", "1e999", "-0.5", "0", "1", "2", "0.5", "", " "]),
    st.sampled_from(["Tab&#9;bed", "Line&#10;break", "People|Ana", "A/B|C", "|", "/", "x" * 300]),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)


@st.composite
def _packet(draw: st.DrawFn) -> bytes:
    """Well-formed XMP whose keywords, hierarchies and face regions hold anything."""
    v = [draw(_VALUES) for _ in range(14)]
    return (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:lr="http://ns.adobe.com/lightroom/1.0/" '
        'xmlns:digiKam="http://www.digikam.org/ns/1.0/" '
        'xmlns:mwg-rs="http://www.metadataworkinggroup.com/schemas/regions/" '
        'xmlns:stArea="http://ns.adobe.com/xmp/sType/Area#" '
        'xmlns:stDim="http://ns.adobe.com/xap/1.0/sType/Dimensions#" '
        'xmlns:MP="http://ns.microsoft.com/photo/1.2/" '
        'xmlns:MPRI="http://ns.microsoft.com/photo/1.2/t/RegionInfo#" '
        'xmlns:MPReg="http://ns.microsoft.com/photo/1.2/t/Region#" '
        'xmlns:phototagger="http://ns.photo-tagger.org/xmp/1.0/" '
        f'dc:subject="{v[0]}">'
        f"<dc:subject><rdf:Bag><rdf:li>{v[1]}</rdf:li><rdf:li>{v[2]}</rdf:li></rdf:Bag></dc:subject>"
        f"<lr:hierarchicalSubject><rdf:Bag><rdf:li>{v[3]}</rdf:li></rdf:Bag></lr:hierarchicalSubject>"
        f"<digiKam:TagsList><rdf:Seq><rdf:li>{v[4]}</rdf:li></rdf:Seq></digiKam:TagsList>"
        '<mwg-rs:Regions rdf:parseType="Resource"><mwg-rs:AppliedToDimensions '
        f'stDim:w="{v[5]}" stDim:h="{v[6]}" stDim:unit="pixel"/><mwg-rs:RegionList><rdf:Bag>'
        f'<rdf:li><rdf:Description mwg-rs:Name="{v[7]}" mwg-rs:Type="Face"><mwg-rs:Area '
        f'stArea:x="{v[8]}" stArea:y="{v[9]}" stArea:w="{v[10]}" stArea:h="{v[11]}" '
        'stArea:unit="normalized"/></rdf:Description></rdf:li></rdf:Bag></mwg-rs:RegionList>'
        "</mwg-rs:Regions>"
        '<MP:RegionInfo rdf:parseType="Resource"><MPRI:Regions><rdf:Bag><rdf:li '
        f'MPReg:PersonDisplayName="{v[12]}" MPReg:Rectangle="{v[13]}"/></rdf:Bag></MPRI:Regions>'
        "</MP:RegionInfo>"
        f"<phototagger:Regions><rdf:Bag><rdf:li>{v[1]}</rdf:li></rdf:Bag></phototagger:Regions>"
        "</rdf:Description></rdf:RDF></x:xmpmeta>"
    ).encode("utf-8", "surrogatepass")


def xmp_bytes() -> st.SearchStrategy[bytes]:
    """Noise, text, a real XMP packet damaged, or well-formed XMP holding anything."""
    return st.one_of(
        st.binary(max_size=512),
        st.text(max_size=256).map(lambda t: t.encode("utf-8", "surrogatepass")),
        damaged(XMP),
        _packet(),
    )
