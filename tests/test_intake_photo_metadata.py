"""Every metadata carrier a photo can hold, planted with a marker and a phone number: the
re-encoded JPEG the pipeline publishes holds none of them, in its bytes or its info."""

from __future__ import annotations

import io
import zlib
from collections.abc import Callable

import pytest
from PIL import Image, ImageCms, PngImagePlugin

from yishi.intake.photos import Upload, reencode

SECRET = "13900001234-PLANTED"


def _exif(tag: int) -> Image.Exif:
    exif = Image.Exif()
    if tag == 0x8825:  # GPS: coordinates and a text field
        gps = exif.get_ifd(0x8825)
        gps[1], gps[2] = "N", (39.0, 54.0, 27.0)
        gps[0x12] = f"GPS {SECRET}"  # GPSMapDatum
    else:
        exif[tag] = f"EXIF {SECRET}"
    return exif


def _icc() -> bytes:
    """A valid sRGB profile whose description carries the marker (lcms still reads it)."""
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    marker = f"ICC {SECRET}".encode()
    # Append a 'desc'-like private tag's bytes after the declared size: readers copy the
    # whole blob, so a re-encoder that keeps the profile keeps the marker.
    return profile + marker


def _xmp() -> bytes:
    return (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/'
            b'02/22-rdf-syntax-ns#"><rdf:Description>' + f"XMP {SECRET}".encode()
            + b"</rdf:Description></rdf:RDF></x:xmpmeta>")


def _image(mode: str = "RGB") -> Image.Image:
    return Image.new(mode, (96, 64), (200, 30, 30) if mode == "RGB" else (200, 30, 30, 255))


def _save(fmt: str, mode: str = "RGB", **params: object) -> bytes:
    out = io.BytesIO()
    _image(mode).save(out, format=fmt, **params)
    return out.getvalue()


def _png_text(key: str, *, kind: str) -> bytes:
    info = PngImagePlugin.PngInfo()
    if kind == "tEXt":
        info.add_text(key, f"PNG {SECRET}")
    elif kind == "zTXt":
        info.add_text(key, f"PNG {SECRET}", zip=True)
    else:
        info.add_itxt(key, f"PNG {SECRET}", lang="zh", tkey=f"T {SECRET}", zip=False)
    return _save("PNG", pnginfo=info)


CARRIERS: dict[str, Callable[[], bytes]] = {
    "jpeg-exif": lambda: _save("JPEG", exif=_exif(0x010E)),
    "jpeg-exif-camera": lambda: _save("JPEG", exif=_exif(0x0110)),
    "jpeg-gps": lambda: _save("JPEG", exif=_exif(0x8825)),
    "jpeg-xmp": lambda: _save("JPEG", xmp=_xmp()),
    "jpeg-icc": lambda: _save("JPEG", icc_profile=_icc()),
    "jpeg-com": lambda: _save("JPEG", comment=f"COM {SECRET} <!-- html -->"),
    "png-text-comment": lambda: _png_text("comment", kind="tEXt"),
    "png-text-Comment": lambda: _png_text("Comment", kind="tEXt"),
    "png-text-author": lambda: _png_text("Author", kind="tEXt"),
    "png-ztxt-comment": lambda: _png_text("comment", kind="zTXt"),
    "png-itxt-comment": lambda: _png_text("comment", kind="iTXt"),
    "png-exif": lambda: _save("PNG", exif=_exif(0x010E)),
    "png-icc": lambda: _save("PNG", icc_profile=_icc()),
    "png-rgba-text": lambda: _save("PNG", mode="RGBA", pnginfo=_text_info()),
    "webp-exif": lambda: _save("WEBP", exif=_exif(0x010E).tobytes()),
    "webp-xmp": lambda: _save("WEBP", xmp=_xmp()),
    "webp-icc": lambda: _save("WEBP", icc_profile=_icc()),
    "webp-lossless-all": lambda: _save("WEBP", lossless=True, exif=_exif(0x8825).tobytes(),
                                       xmp=_xmp(), icc_profile=_icc()),
}


def _text_info() -> PngImagePlugin.PngInfo:
    info = PngImagePlugin.PngInfo()
    info.add_text("comment", f"PNG {SECRET}")
    return info


def _png_chunks(data: bytes) -> list[bytes]:
    """The payloads of a PNG's chunks, compressed ones (zTXt, iCCP) inflated."""
    payloads, at = [], 8
    while at + 8 <= len(data):
        length = int.from_bytes(data[at:at + 4], "big")
        kind, payload = data[at + 4:at + 8], data[at + 8:at + 8 + length]
        if kind in {b"zTXt", b"iCCP"}:
            payload = zlib.decompress(payload[payload.index(b"\0") + 2:])
        payloads.append(payload)
        at += 12 + length
    return payloads


def _carries_secret(data: bytes) -> bool:
    """The marker in the file, as is or inside a compressed PNG chunk."""
    if SECRET.encode() in data:
        return True
    return data.startswith(b"\x89PNG") and any(SECRET.encode() in p for p in _png_chunks(data))


@pytest.mark.parametrize("carrier", CARRIERS)
def test_no_metadata_survives_reencoding(carrier: str) -> None:
    original = CARRIERS[carrier]()
    assert _carries_secret(original), f"the {carrier} fixture does not carry the marker"
    published = reencode(Upload(f"{carrier}.img", original))
    assert SECRET.encode() not in published
    assert b"PLANTED" not in published and b"<!--" not in published
    image = Image.open(io.BytesIO(published))
    assert image.format == "JPEG" and image.size == (96, 64)
    assert not image.getexif()
    assert {"comment", "exif", "icc_profile", "xmp"}.isdisjoint(image.info), image.info.keys()
    # Pixels, not metadata, are what is published: the colour is still there.
    r, g, b = image.convert("RGB").getpixel((48, 32))  # type: ignore[misc]
    assert r > 150 and g < 80 and b < 80
