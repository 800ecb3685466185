"""Draw the app icon (resources/icons/photo-tagger.png, .ico): a tag over a photo's mountains.

.venv/bin/python packaging/make_icon.py
"""

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parents[1] / "resources" / "icons"


def draw(size: int = 1024) -> Image.Image:
    """Drawn at 4x and scaled down, for smooth edges."""
    s = size / 256
    scene = Image.new("RGBA", (size, size), (33, 98, 160, 255))
    d = ImageDraw.Draw(scene)
    d.polygon(
        [
            (0, 210 * s),
            (84 * s, 112 * s),
            (130 * s, 164 * s),
            (172 * s, 122 * s),
            (256 * s, 210 * s),
            (256 * s, 256 * s),
            (0, 256 * s),
        ],
        fill=(96, 170, 220, 255),
    )
    d.ellipse([172 * s, 38 * s, 208 * s, 74 * s], fill=(255, 214, 102, 255))
    tag = [
        (36 * s, 58 * s),
        (118 * s, 58 * s),
        (158 * s, 98 * s),
        (118 * s, 138 * s),
        (36 * s, 138 * s),
    ]
    d.polygon(tag, fill=(255, 255, 255, 255))
    d.ellipse([56 * s, 86 * s, 80 * s, 110 * s], fill=(33, 98, 160, 255))
    mask = Image.new("L", (size, size), 0)
    ImageDraw.Draw(mask).rounded_rectangle(
        [8 * s, 8 * s, 248 * s, 248 * s], radius=48 * s, fill=255
    )
    icon = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    icon.paste(scene, (0, 0), mask)
    return icon.resize((size // 4, size // 4), Image.LANCZOS)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    icon = draw()
    icon.save(OUT / "photo-tagger.png")
    icon.save(OUT / "photo-tagger.ico", sizes=[(16, 16), (32, 32), (48, 48), (256, 256)])
    print(f"wrote {OUT}/photo-tagger.png and .ico")


if __name__ == "__main__":
    main()
