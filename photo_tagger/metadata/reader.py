"""What other applications (or people) recorded about a photo: keywords, named faces, its rating
and flags from its sidecars and from the XMP and IPTC embedded in the file, as plain data for a
scan to import."""

from __future__ import annotations

from pathlib import Path

from photo_tagger.errors import MetadataError
from photo_tagger.imaging.formats import JpegFormat, is_raw
from photo_tagger.metadata.embedded import Embedded, Geometry, inspect
from photo_tagger.metadata.keywords import (
    MAX_TAG_LENGTH,
    bounded_tags,
    combine_keywords,
    has_control,
    read_keywords,
)
from photo_tagger.metadata.merge import SAME_FACE, read_record
from photo_tagger.metadata.model import PEOPLE_BRANCH, FileMarks, ImportedFace, ImportedMetadata
from photo_tagger.metadata.packet import MP, MWG_RS, Packet, parse
from photo_tagger.metadata.ratings import combine, read_marks
from photo_tagger.metadata.regions import (
    overlap,
    read_mp,
    read_mwg,
    to_pixels,
    upright_area,
)
from photo_tagger.metadata.sidecar import sidecar_candidates


def read_photo_metadata(photo_path: Path, data: bytes | None = None) -> ImportedMetadata:
    """Keywords and named faces for the photo at `photo_path` (`data`: its bytes, if already read).

    Sidecars come first, then the file's own XMP, then its IPTC keywords; everything found is
    combined. Whatever cannot be read is listed in `problems`, and the rest is still returned.
    """
    photo_path = Path(photo_path)
    problems: list[str] = []
    sources: list[str] = []
    if data is None:
        try:
            data = photo_path.read_bytes()
        except OSError as exc:
            problems.append(f"{photo_path}: cannot read the photo ({exc.strerror})")
    sidecars = sidecar_candidates(photo_path)
    if not sidecars and data and nothing_embedded(data):
        return ImportedMetadata(problems=tuple(problems))  # the common case, kept cheap: a scan
    embedded = inspect(data) if data else Embedded()
    if embedded.problems and is_raw(photo_path):
        # what other applications say of a RAW is in its sidecar: the file is for LibRaw's eyes
        embedded = Embedded()
    problems.extend(f"{photo_path}: {p}" for p in embedded.problems)
    geometry = embedded.geometry

    paths: list[str] = []
    flat: list[str] = []
    faces: list[ImportedFace] = []
    own: set[str] = set()
    marks: list[FileMarks] = []
    for name, packet in _packets(photo_path, sidecars, embedded.xmp, sources, problems):
        found, unreadable = read_marks(packet, f"{photo_path} ({name})")
        marks.append(found)
        problems.extend(unreadable)
        p, f = read_keywords(packet)
        paths.extend(p)
        flat.extend(f)
        record = read_record(packet)
        faces.extend(_faces(packet, name, geometry, record["Regions"]))
        own.update(record["TagsList"])
        own.update(v.replace("|", "/") for v in record["HierarchicalSubject"])
    if embedded.iptc_keywords:
        flat.extend(embedded.iptc_keywords)
        sources.append("embedded IPTC")

    faces = _distinct(_bounded_faces(faces, photo_path, problems))
    named = {PEOPLE_BRANCH + "/" + f.name for f in faces}
    tags, left_out = bounded_tags(t for t in combine_keywords(paths, flat) if t not in named)
    problems.extend(f"{photo_path}: {p}" for p in left_out)
    width, height = geometry.upright_size if geometry else (None, None)
    return ImportedMetadata(
        tags=tuple(tags),
        faces=tuple(faces),
        own_tags=tuple(t for t in tags if t in own),
        width=width,
        height=height,
        sources=tuple(sources),
        problems=tuple(problems),
        marks=combine(marks),
    )


def _packets(
    photo_path: Path,
    sidecars: list[Path],
    xmp: bytes | None,
    sources: list[str],
    problems: list[str],
) -> list[tuple[str, Packet]]:
    """The XMP packets of the photo's sidecars, then its embedded one, each with where it was
    found; what was read is added to `sources`, what could not be to `problems`."""
    packets: list[tuple[str, Packet]] = []
    for sidecar in sidecars:
        try:
            packets.append((sidecar.name, parse(sidecar.read_bytes(), str(sidecar))))
            sources.append(str(sidecar))
        except MetadataError as exc:
            problems.append(str(exc))
        except OSError as exc:
            problems.append(f"{sidecar}: cannot read it ({exc.strerror})")
    if xmp:
        try:
            packets.append(("embedded XMP", parse(xmp, f"{photo_path} (embedded XMP)")))
            sources.append("embedded XMP")
        except MetadataError as exc:
            problems.append(str(exc))
    return packets


def _faces(
    packet: Packet, where: str, geometry: Geometry | None, ours: set[str]
) -> list[ImportedFace]:
    orientation = geometry.orientation if geometry else 1
    size = geometry.upright_size if geometry else None
    out = []
    for schema, regions in (
        ("MWG", [r for _, p in packet.properties(MWG_RS, "Regions") for r in read_mwg(p)]),
        ("MP", [r for _, p in packet.properties(MP, "RegionInfo") for r in read_mp(p)]),
    ):
        for region in regions:
            area = upright_area(region.area, orientation)
            box = to_pixels(area, *size) if size else None
            source = f"{where} ({schema})"
            out.append(ImportedFace(region.name, area, box, source, region.key in ours))
    return out


# Named faces one photo may bring (a crowd is a few hundred; digiKam writes each face twice, and a
# sidecar often repeats what is embedded): telling them apart takes time for each pair.
MAX_FACES = 1_000


def _bounded_faces(
    faces: list[ImportedFace], photo_path: Path, problems: list[str]
) -> list[ImportedFace]:
    """The faces with some area on the photo whose names can be people's names, at most
    MAX_FACES of them; what is left out is added to `problems`."""
    placed = [f for f in faces if f.area[0] < f.area[2] and f.area[1] < f.area[3]]
    if len(placed) < len(faces):
        problems.append(
            f"{photo_path}: {len(faces) - len(placed)} named face(s) were not imported: their "
            "areas are empty, off the photo or not numbers. Redraw them in the application that "
            "wrote them."
        )
    named = [f for f in placed if not has_control(f.name) and len(f.name) <= MAX_TAG_LENGTH]
    if len(named) < len(placed):
        problems.append(
            f"{photo_path}: {len(placed) - len(named)} named face(s) were not imported: their "
            f"names hold control characters or are longer than {MAX_TAG_LENGTH} characters. "
            "Correct them in the application that wrote them."
        )
    if len(named) > MAX_FACES:
        problems.append(
            f"{photo_path}: the photo has {len(named)} named face areas; only the first "
            f"{MAX_FACES} were imported. Remove the ones it should not have in the application "
            "that wrote them."
        )
    return named[:MAX_FACES]


def _distinct(faces: list[ImportedFace]) -> list[ImportedFace]:
    """One face per person and place: digiKam writes every face in both schemas, and a sidecar
    often repeats what is embedded. The first found (sidecar, MWG) is kept."""
    out: list[ImportedFace] = []
    for face in faces:
        if not any(f.name == face.name and overlap(f.area, face.area) >= SAME_FACE for f in out):
            out.append(face)
    return out


def nothing_embedded(data: bytes) -> bool:
    """True for a JPEG whose header segments carry neither XMP nor IPTC (no parsing, no decoding).

    XMP lives in APP1 segments named "http://ns.adobe.com/xap/1.0/" (or the extended one), IPTC in
    the APP13 "Photoshop 3.0" segment; walking the segment lengths up to the image data finds them
    in microseconds. Other formats are always inspected.
    """
    if not JpegFormat.sniff(data):
        return False
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            return False  # not where a marker should be: let the full reader decide
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in (0xDA, 0xD9):  # start of scan / end of image: no more metadata
            return True
        length = int.from_bytes(data[pos + 2 : pos + 4], "big")
        body = data[pos + 4 : pos + 4 + 32]
        if marker == 0xE1 and body.startswith(b"http://ns.adobe.com/"):
            return False
        if marker == 0xED and body.startswith(b"Photoshop 3.0"):
            return False
        pos += 2 + length
    return False
