"""Named face regions: MWG (digiKam, Lightroom, Picasa, Immich, ExifTool) and Microsoft's (Windows
Photo Gallery, also written by digiKam).

Both are normalised to the photo as stored, before its EXIF orientation is applied (the MWG
guidelines say so, and Immich and digiKam read them so), while the library keeps boxes upright. So
every box goes through the orientation on the way out and back on the way in.

- MWG: `mwg-rs:Regions` { AppliedToDimensions {w, h, unit=pixel} of the stored image, RegionList
  [ {Name, Type=Face, Area {x, y, w, h, unit=normalized}} ] } with x, y the centre of the box.
- Microsoft: `MP:RegionInfo` { MPRI:Regions [ {PersonDisplayName, Rectangle "x, y, w, h"} ] } with
  x, y the top-left corner.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass

from photo_tagger.metadata.model import Box
from photo_tagger.metadata.packet import (
    MP,
    MPREG,
    MPRI,
    MWG_RS,
    RDF,
    ST_AREA,
    ST_DIM,
    append,
    array_element,
    q,
    struct_field,
    struct_holder,
    struct_text,
    text_element,
)

SIDEWAYS = (5, 6, 7, 8)  # orientations that swap width and height


# --- orientation ----------------------------------------------------------------------------------


def _stored_point(x: float, y: float, orientation: int) -> tuple[float, float]:
    """A normalised point of the upright photo, in the photo as stored."""
    return {
        2: (1 - x, y),
        3: (1 - x, 1 - y),
        4: (x, 1 - y),
        5: (y, x),
        6: (y, 1 - x),
        7: (1 - y, 1 - x),
        8: (1 - y, x),
    }.get(orientation, (x, y))


def _upright_point(x: float, y: float, orientation: int) -> tuple[float, float]:
    """A normalised point of the photo as stored, in the upright photo."""
    return {
        2: (1 - x, y),
        3: (1 - x, 1 - y),
        4: (x, 1 - y),
        5: (y, x),
        6: (1 - y, x),
        7: (1 - y, 1 - x),
        8: (y, 1 - x),
    }.get(orientation, (x, y))


Point = Callable[[float, float, int], tuple[float, float]]


def _map_box(box: Box, point: Point, orientation: int) -> Box:
    ax, ay = point(box[0], box[1], orientation)
    bx, by = point(box[2], box[3], orientation)
    return (min(ax, bx), min(ay, by), max(ax, bx), max(ay, by))


def stored_area(upright_area: Box, orientation: int) -> Box:
    return _map_box(upright_area, _stored_point, orientation)


def upright_area(stored: Box, orientation: int) -> Box:
    return _map_box(stored, _upright_point, orientation)


def stored_size(width: int, height: int, orientation: int) -> tuple[int, int]:
    """The stored image's size from the upright one (and back: the swap is its own inverse)."""
    return (height, width) if orientation in SIDEWAYS else (width, height)


def normalise(box: Box, width: int, height: int) -> Box:
    x0, y0, x1, y1 = box
    return (_clamp(x0 / width), _clamp(y0 / height), _clamp(x1 / width), _clamp(y1 / height))


def to_pixels(area: Box, width: int, height: int) -> Box:
    return (area[0] * width, area[1] * height, area[2] * width, area[3] * height)


def overlap(a: Box, b: Box) -> float:
    """Intersection over union of two boxes."""
    iw = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    ih = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = iw * ih
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def _clamp(v: float) -> float:
    return min(1.0, max(0.0, v))


def number(v: float) -> str:
    """A normalised coordinate as written: 6 decimals, trailing zeros dropped."""
    text = f"{v:.6f}".rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"


# --- regions as found in a file -------------------------------------------------------------------


@dataclass(frozen=True)
class Region:
    """One named face region of a file, in the photo as stored."""

    schema: str  # "MWG" or "MP"
    name: str
    area: Box  # normalised to the stored photo: x0, y0, x1, y1
    key: str  # identifies the region exactly as written (see merge.py)
    item: ET.Element  # its rdf:li, to remove it in place


def mwg_key(name: str, x: str, y: str, w: str, h: str) -> str:
    return "\t".join(("MWG", name, x, y, w, h))


def mp_key(name: str, rectangle: str) -> str:
    return "\t".join(("MP", name, rectangle))


def mwg_list(regions_prop: ET.Element) -> ET.Element | None:
    """The rdf:Bag of an `mwg-rs:Regions` struct's RegionList."""
    region_list = struct_field(regions_prop, MWG_RS, "RegionList")
    return array_element(region_list) if isinstance(region_list, ET.Element) else None


def mp_list(info_prop: ET.Element) -> ET.Element | None:
    """The rdf:Bag of an `MP:RegionInfo` struct's Regions."""
    regions = struct_field(info_prop, MPRI, "Regions")
    return array_element(regions) if isinstance(regions, ET.Element) else None


def read_mwg(regions_prop: ET.Element) -> list[Region]:
    """Named face regions of an `mwg-rs:Regions` property (others are not faces we can use)."""
    array = mwg_list(regions_prop)
    out: list[Region] = []
    for li in array if array is not None else ():
        if li.tag != q(RDF, "li") or (struct_text(li, MWG_RS, "Type") or "Face") != "Face":
            continue
        name = (struct_text(li, MWG_RS, "Name") or "").strip()
        area = struct_field(li, MWG_RS, "Area")
        if not name or not isinstance(area, ET.Element):
            continue
        if (struct_text(area, ST_AREA, "unit") or "normalized") != "normalized":
            continue
        raw = [struct_text(area, ST_AREA, k) or "" for k in ("x", "y", "w", "h")]
        try:
            x, y, w, h = _finite(raw)
        except ValueError:
            continue
        box = (_clamp(x - w / 2), _clamp(y - h / 2), _clamp(x + w / 2), _clamp(y + h / 2))
        out.append(Region("MWG", name, box, mwg_key(name, *raw), li))
    return out


def read_mp(info_prop: ET.Element) -> list[Region]:
    """Named regions of an `MP:RegionInfo` property."""
    array = mp_list(info_prop)
    out: list[Region] = []
    for li in array if array is not None else ():
        if li.tag != q(RDF, "li"):
            continue
        name = (struct_text(li, MPREG, "PersonDisplayName") or "").strip()
        rectangle = struct_text(li, MPREG, "Rectangle") or ""
        try:
            x, y, w, h = _finite(rectangle.split(","))
        except ValueError:
            continue
        if not name:
            continue
        box = (_clamp(x), _clamp(y), _clamp(x + w), _clamp(y + h))
        out.append(Region("MP", name, box, mp_key(name, rectangle), li))
    return out


def _finite(texts: list[str]) -> list[float]:
    """Numbers from their texts; ValueError for one that is none, NaN or infinite."""
    numbers = [float(t) for t in texts]
    if not all(math.isfinite(n) for n in numbers):
        raise ValueError("not a finite number")
    return numbers


def applied_dimensions(regions_prop: ET.Element) -> tuple[int, int] | None:
    dims = struct_field(regions_prop, MWG_RS, "AppliedToDimensions")
    if not isinstance(dims, ET.Element):
        return None
    try:
        return int(float(struct_text(dims, ST_DIM, "w") or "")), int(
            float(struct_text(dims, ST_DIM, "h") or "")
        )
    except (ValueError, OverflowError):  # not a number, NaN, infinite
        return None


# --- regions as we write them ---------------------------------------------------------------------


@dataclass(frozen=True)
class NewRegion:
    name: str
    area: Box  # normalised to the stored photo

    def mwg_values(self) -> tuple[str, str, str, str]:
        x0, y0, x1, y1 = self.area
        return (number((x0 + x1) / 2), number((y0 + y1) / 2), number(x1 - x0), number(y1 - y0))

    def mp_rectangle(self) -> str:
        x0, y0, x1, y1 = self.area
        return ", ".join(number(v) for v in (x0, y0, x1 - x0, y1 - y0))

    def mwg_key(self) -> str:
        return mwg_key(self.name, *self.mwg_values())

    def mp_key(self) -> str:
        return mp_key(self.name, self.mp_rectangle())

    def mwg_item(self) -> ET.Element:
        x, y, w, h = self.mwg_values()
        li = ET.Element(q(RDF, "li"), {q(RDF, "parseType"): "Resource"})
        li.append(text_element(q(MWG_RS, "Name"), self.name))
        li.append(text_element(q(MWG_RS, "Type"), "Face"))
        area = {"x": x, "y": y, "w": w, "h": h, "unit": "normalized"}
        li.append(ET.Element(q(MWG_RS, "Area"), {q(ST_AREA, k): v for k, v in area.items()}))
        return li

    def mp_item(self) -> ET.Element:
        li = ET.Element(q(RDF, "li"), {q(RDF, "parseType"): "Resource"})
        li.append(text_element(q(MPREG, "PersonDisplayName"), self.name))
        li.append(text_element(q(MPREG, "Rectangle"), self.mp_rectangle()))
        return li


def applied_to(width: int, height: int) -> ET.Element:
    """`mwg-rs:AppliedToDimensions` of a stored image of width x height pixels."""
    dims = {"w": str(width), "h": str(height), "unit": "pixel"}
    return ET.Element(q(MWG_RS, "AppliedToDimensions"), {q(ST_DIM, k): v for k, v in dims.items()})


def new_mwg_regions(width: int, height: int, items: list[ET.Element]) -> ET.Element:
    """`mwg-rs:Regions` holding `items`, for a stored image of width x height pixels."""
    prop = ET.Element(q(MWG_RS, "Regions"), {q(RDF, "parseType"): "Resource"})
    prop.append(applied_to(width, height))
    region_list = ET.SubElement(prop, q(MWG_RS, "RegionList"))
    ET.SubElement(region_list, q(RDF, "Bag")).extend(items)
    return prop


def new_mp_info(items: list[ET.Element]) -> ET.Element:
    """`MP:RegionInfo` holding `items`."""
    prop = ET.Element(q(MP, "RegionInfo"), {q(RDF, "parseType"): "Resource"})
    regions = ET.SubElement(prop, q(MPRI, "Regions"))
    ET.SubElement(regions, q(RDF, "Bag")).extend(items)
    return prop


def add_items(prop: ET.Element, namespace: str, local: str, items: list[ET.Element]) -> None:
    """Append `items` to the struct's array field namespace:local, making the field if needed."""
    holder = struct_holder(prop)
    field_el = holder.find(q(namespace, local))
    array = array_element(field_el) if field_el is not None else None
    if array is not None:
        for item in items:
            append(array, item)
        return
    new_array = ET.Element(q(RDF, "Bag"))
    new_array.extend(items)
    if field_el is None:
        field_el = ET.Element(q(namespace, local))
        field_el.append(new_array)
        append(holder, field_el)
    else:  # a field with no array in it (not valid XMP): the array goes inside it
        field_el.append(new_array)
