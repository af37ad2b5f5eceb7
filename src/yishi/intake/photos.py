"""Photos residents attach: checked by content, bounded, and re-encoded without metadata.

Re-encoding (rather than copying the upload) is what removes EXIF, GPS and anything else
hidden in the file; decoding is bounded by a pixel cap checked *before* the pixels are read,
so a small file that inflates to gigabytes (a decompression bomb) is refused cheaply.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from . import messages
from .submission import Invalid

MAX_PHOTOS = 3
MAX_BYTES = 4 * 1024 * 1024
MAX_PIXELS = 40_000_000
#: Longest side of a published photo; larger photos are scaled down.
MAX_SIDE = 2048
#: Formats we decode; SVG (script inside) and anything exotic are refused.
ACCEPTED_FORMATS = frozenset({"JPEG", "PNG", "WEBP"})


@dataclass(frozen=True)
class Upload:
    """An uploaded file as the form sent it."""

    filename: str
    data: bytes


def _display_name(upload: Upload) -> str:
    # The name is only echoed back in an error message; keep it short and path-free.
    name = upload.filename.replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(ch for ch in name if ch.isprintable())[:40] or "照片"


def reencode(upload: Upload) -> bytes:
    """The photo as a fresh JPEG without metadata, or :class:`Invalid` saying why not."""
    name = _display_name(upload)
    if len(upload.data) > MAX_BYTES:
        raise Invalid({"photo": messages.PHOTO_TOO_LARGE.format(
            name=name, limit_mb=MAX_BYTES // (1024 * 1024))})
    try:
        with warnings.catch_warnings():
            # Pillow only warns between its own limit and twice that; make it an error.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(upload.data), formats=sorted(ACCEPTED_FORMATS)) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise Invalid({"photo": messages.PHOTO_TOO_MANY_PIXELS.format(name=name)})
                image.load()
                upright = ImageOps.exif_transpose(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise Invalid({"photo": messages.PHOTO_TOO_MANY_PIXELS.format(name=name)}) from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        # Truncated or corrupt files surface as OSError/SyntaxError from the decoders.
        raise Invalid({"photo": messages.PHOTO_NOT_IMAGE.format(name=name)}) from exc
    if upright.mode in {"RGBA", "LA"} or "transparency" in upright.info:
        background = Image.new("RGB", upright.size, "white")
        background.paste(upright.convert("RGBA"), mask=upright.convert("RGBA").getchannel("A"))
        upright = background
    rgb = upright.convert("RGB")
    rgb.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    # No exif= argument and a fresh RGB image: nothing of the original metadata is written.
    rgb.save(out, format="JPEG", quality=85, optimize=True)
    return out.getvalue()


def process(uploads: list[Upload]) -> list[bytes]:
    """Re-encode every non-empty upload (at most :data:`MAX_PHOTOS`)."""
    uploads = [u for u in uploads if u.data]
    if len(uploads) > MAX_PHOTOS:
        raise Invalid({"photo": messages.TOO_MANY_PHOTOS.format(limit=MAX_PHOTOS)})
    return [reencode(upload) for upload in uploads]
