"""Reading a form body: bounded in size, strict about UTF-8, urlencoded or multipart.

We parse the bytes ourselves (with python-multipart for multipart) rather than through
Starlette's form parser, because that one silently decodes invalid UTF-8 as Latin-1; a
resident's text that is not valid UTF-8 must be refused, not published as mojibake.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import Field, File, FormParser, parse_options_header

from ..errors import YishiError
from . import messages
from .photos import Upload
from .submission import Invalid

MAX_BODY = 12 * 1024 * 1024
MAX_FIELDS = 40


class TooLarge(YishiError):
    """The body is over the size limit (answer 413)."""


class TooSlow(YishiError):
    """The body paused too long, or took too long as a whole (answer 408)."""


@dataclass
class FormData:
    """A form's text fields (first value of each name) and its uploads named ``photo``."""

    fields: dict[str, str] = field(default_factory=dict)
    uploads: list[Upload] = field(default_factory=list)


async def read_body(chunks: AsyncIterator[bytes], limit: int = MAX_BODY, *,
                    idle: float | None = None, total: float | None = None) -> bytes:
    """The whole body; :class:`TooLarge` as soon as it passes ``limit`` bytes,
    :class:`TooSlow` when no chunk comes for ``idle`` seconds or it takes over ``total``
    (a client trickling a byte at a time holds a connection and memory otherwise)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + total if total is not None else None
    body = bytearray()
    iterator = aiter(chunks)
    while True:
        waits = [t for t in (idle, deadline - loop.time() if deadline else None) if t is not None]
        try:
            chunk = await asyncio.wait_for(anext(iterator), min(waits) if waits else None)
        except StopAsyncIteration:
            return bytes(body)
        except TimeoutError as exc:
            raise TooSlow from exc
        body += chunk
        if len(body) > limit:
            raise TooLarge


def _decode(value: bytes) -> str:
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Invalid({"form": messages.BAD_ENCODING}) from exc


def parse_form(content_type: str, body: bytes) -> FormData:
    """Parse an urlencoded or multipart body; :class:`Invalid` when it is neither or broken."""
    mime, options = parse_options_header(content_type)
    form = FormData()
    if mime == b"application/x-www-form-urlencoded":
        try:
            pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, encoding="utf-8",
                              errors="strict", max_num_fields=MAX_FIELDS)
        except UnicodeDecodeError as exc:
            raise Invalid({"form": messages.BAD_ENCODING}) from exc
        except ValueError as exc:  # too many fields
            raise Invalid({"form": messages.BAD_FORM}) from exc
        for name, value in pairs:
            form.fields.setdefault(name, value)
        return form
    if mime != b"multipart/form-data" or b"boundary" not in options:
        raise Invalid({"form": messages.BAD_FORM})

    raw_fields: list[tuple[bytes, bytes]] = []

    def on_field(item: Field) -> None:
        raw_fields.append((item.field_name or b"", item.value or b""))

    def on_file(item: File) -> None:
        if item.field_name == b"photo":
            item.file_object.seek(0)
            form.uploads.append(Upload(_decode(item.file_name or b""), item.file_object.read()))
        item.close()

    parser = FormParser("multipart/form-data", on_field, on_file, boundary=options[b"boundary"],
                        config={"MAX_MEMORY_FILE_SIZE": MAX_BODY + 1, "MAX_FIELDS": MAX_FIELDS})
    try:
        parser.write(body)
        parser.finalize()
    except FormParserError as exc:
        raise Invalid({"form": messages.BAD_FORM}) from exc
    if len(raw_fields) + len(form.uploads) > MAX_FIELDS:
        raise Invalid({"form": messages.BAD_FORM})
    for raw_name, raw_value in raw_fields:
        form.fields.setdefault(_decode(raw_name), _decode(raw_value))
    return form
