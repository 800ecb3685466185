"""The Folders tab's tree: the folders holding photos, the chains of folders without photos of
their own above them folded into one top node, counts that include subfolders."""

from __future__ import annotations

from photo_tagger.gui.folder_tree import folder_nodes


def test_folders_with_their_counts_under_one_top_node() -> None:
    paths = [
        "/home/ana/Pictures/2024/Lisbon/a.jpg",
        "/home/ana/Pictures/2024/Lisbon/b.jpg",
        "/home/ana/Pictures/2024/c.jpg",
        "/home/ana/Pictures/2023/Zoo/d.jpg",
    ]
    assert [(n.parent, n.name, n.own, n.total) for n in folder_nodes(paths)] == [
        ("", "/home/ana/Pictures", 0, 4),
        ("/home/ana/Pictures", "2023", 0, 1),
        ("/home/ana/Pictures/2023", "Zoo", 1, 1),
        ("/home/ana/Pictures", "2024", 1, 3),
        ("/home/ana/Pictures/2024", "Lisbon", 2, 2),
    ]


def test_separate_places_are_separate_top_nodes() -> None:
    paths = ["/home/ana/Pictures/a.jpg", "/mnt/card/DCIM/100CANON/b.jpg", "/c.jpg"]
    nodes = folder_nodes(paths)
    assert [(n.parent, n.name) for n in nodes] == [
        ("", "/"),  # it holds a photo of its own
        ("/", "home"),
        ("/home", "ana"),
        ("/home/ana", "Pictures"),
        ("/", "mnt"),
        ("/mnt", "card"),
        ("/mnt/card", "DCIM"),
        ("/mnt/card/DCIM", "100CANON"),
    ]


def test_no_photos_no_folders() -> None:
    assert folder_nodes([]) == []
