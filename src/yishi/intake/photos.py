"""Photos residents attach: checked by content, bounded, and re-encoded from pixels alone.

The published JPEG is built from the decoded pixels and nothing else (no EXIF, GPS, XMP,
ICC profile or comment can ride along: Pillow would otherwise copy ``info["comment"]`` into
the new file). Decoding is bounded twice: a pixel cap checked from the header *before* any
pixel is read (a small file that inflates to gigabytes is refused cheaply), and an optional
:class:`~.photo_work.PixelBudget` that the caller holds while the pixels are in memory.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from typing import Protocol

from PIL import Image, ImageCms, UnidentifiedImageError

from . import messages
from .submission import Invalid

MAX_PHOTOS = 3
MAX_BYTES = 4 * 1024 * 1024
MAX_PIXELS = 40_000_000
#: Longest side of a published photo; larger photos are scaled down.
MAX_SIDE = 2048
#: Formats we decode; SVG (script inside) and anything exotic are refused.
ACCEPTED_FORMATS = frozenset({"JPEG", "PNG", "WEBP"})
#: EXIF orientation → the transposition that makes the photo upright.
_UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE, 8: Image.Transpose.ROTATE_90,
}
_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


class Budget(Protocol):
    """Something that holds back decoding until ``pixels`` fit in memory (see photo_work)."""

    def reserve(self, pixels: int) -> AbstractContextManager[None]:
        """Wait for room for ``pixels``, hold it inside the ``with`` block."""
        ...


@dataclass(frozen=True)
class Upload:
    """An uploaded file as the form sent it."""

    filename: str
    data: bytes


def _display_name(upload: Upload) -> str:
    # The name is only echoed back in an error message; keep it short and path-free.
    name = upload.filename.replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(ch for ch in name if ch.isprintable())[:40] or "照片"


@contextmanager
def _opened(upload: Upload) -> Iterator[Image.Image]:
    """The image with only its header read, or :class:`Invalid` (size, format, pixel cap)."""
    name = _display_name(upload)
    if len(upload.data) > MAX_BYTES:
        raise Invalid({"photo": messages.PHOTO_TOO_LARGE.format(
            name=name, limit_mb=MAX_BYTES // (1024 * 1024))})
    try:
        with warnings.catch_warnings():
            # Pillow only warns between its own limit and twice that; make it an error.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(upload.data), formats=sorted(ACCEPTED_FORMATS)) as image:
                # Our own cap, whatever Image.MAX_IMAGE_PIXELS the process has set.
                if image.width * image.height > MAX_PIXELS:
                    raise Invalid({"photo": messages.PHOTO_TOO_MANY_PIXELS.format(name=name)})
                yield image
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise Invalid({"photo": messages.PHOTO_TOO_MANY_PIXELS.format(name=name)}) from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError) as exc:
        # Truncated or corrupt files surface as OSError/SyntaxError from the decoders.
        raise Invalid({"photo": messages.PHOTO_NOT_IMAGE.format(name=name)}) from exc


def _shrunk(image: Image.Image) -> Image.Image:
    """The decoded pixels at most :data:`MAX_SIDE` on the long side, holding as little
    memory as the format allows: JPEG decodes straight at 1/2, 1/4 or 1/8 scale (draft),
    other formats are reduced by an integer factor before the final resampling."""
    image.draft("RGB", (MAX_SIDE, MAX_SIDE))
    image.load()
    if image.mode not in {"RGB", "RGBA", "L", "LA"}:
        keeps_alpha = "A" in image.mode or "transparency" in image.info
        image = image.convert("RGBA" if keeps_alpha else "RGB")
    factor = max(image.size) // MAX_SIDE
    if factor >= 2:
        image = image.reduce(factor)
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    return image


def _srgb(image: Image.Image, icc: bytes | None) -> Image.Image:
    """An RGB image in sRGB: colours of a wide-gamut photo survive losing its profile."""
    if not icc:
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        converted = ImageCms.profileToProfile(image, source, _SRGB, outputMode="RGB")
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return image  # a broken or mismatched profile: keep the pixels as they are
    return converted if converted is not None else image


def check(uploads: list[Upload]) -> list[Upload]:
    """The non-empty uploads, after the checks that need no decoding: count, size, format
    and pixel count from the header; :class:`Invalid` saying which is wrong."""
    uploads = [u for u in uploads if u.data]
    if len(uploads) > MAX_PHOTOS:
        raise Invalid({"photo": messages.TOO_MANY_PHOTOS.format(limit=MAX_PHOTOS)})
    for upload in uploads:
        with _opened(upload):
            pass
    return uploads


def reencode(upload: Upload, budget: Budget | None = None) -> bytes:
    """The photo as a fresh JPEG made from its pixels alone, or :class:`Invalid` saying why not."""
    with _opened(upload) as image:
        pixels = image.width * image.height
        orientation = image.getexif().get(0x0112)
        icc = image.info.get("icc_profile")
        reservation = budget.reserve(pixels) if budget else nullcontext()
        with reservation:
            try:
                small = _shrunk(image)
            except (OSError, ValueError, SyntaxError, EOFError) as exc:
                raise Invalid({"photo": messages.PHOTO_NOT_IMAGE.format(
                    name=_display_name(upload))}) from exc
    if orientation in _UPRIGHT:
        small = small.transpose(_UPRIGHT[orientation])
    if small.mode in {"RGBA", "LA"}:
        background = Image.new("RGB", small.size, "white")
        background.paste(small.convert("RGB"), mask=small.getchannel("A"))
        small = background
    rgb = _srgb(small.convert("RGB"), icc if isinstance(icc, bytes) else None)
    # A new image from the raw pixels: no info dict, so nothing of the original is written.
    clean = Image.frombytes("RGB", rgb.size, rgb.tobytes())
    out = io.BytesIO()
    clean.save(out, format="JPEG", quality=85, optimize=True)
    return out.getvalue()


def process(uploads: list[Upload], budget: Budget | None = None) -> list[bytes]:
    """Re-encode every non-empty upload (at most :data:`MAX_PHOTOS`)."""
    return [reencode(upload, budget) for upload in check(uploads)]
