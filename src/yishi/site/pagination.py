"""Splitting long lists into pages of ``per_page`` rows, each at its own URL."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


def page_src(base: str, number: int) -> str:
    """Source path of page ``number`` of the list at ``base`` (``issues/`` → ``issues/page/2.md``)."""
    if number == 1:
        return f"{base}index.md"
    return f"{base}page/{number}.md"


def page_link(base: str, number: int) -> str:
    """URL of page ``number`` of the list at ``base``, relative to the site root."""
    return base if number == 1 else f"{base}page/{number}/"


@dataclass(frozen=True)
class Pagination(Generic[T]):
    """One page of a list: its rows and where the other pages are."""

    base: str
    items: Sequence[T]
    number: int
    count: int
    total: int

    @property
    def src_uri(self) -> str:
        return page_src(self.base, self.number)

    @property
    def url(self) -> str:
        return page_link(self.base, self.number)

    @property
    def previous(self) -> str | None:
        return page_link(self.base, self.number - 1) if self.number > 1 else None

    @property
    def next(self) -> str | None:
        return page_link(self.base, self.number + 1) if self.number < self.count else None

    def window(self, around: int = 2) -> list[tuple[int, str | None]]:
        """Page numbers to show: first, last and ``around`` each side; None marks a gap.

        The pager's size stays constant however many pages there are.
        """
        shown = {1, self.count, *range(self.number - around, self.number + around + 1)}
        out: list[tuple[int, str | None]] = []
        previous = 0
        for number in sorted(n for n in shown if 1 <= n <= self.count):
            if number > previous + 1:
                out.append((0, None))
            out.append((number, page_link(self.base, number)))
            previous = number
        return out


def paginate(base: str, items: Sequence[T], per_page: int) -> Iterator[Pagination[T]]:
    """Every page of ``items``; an empty list still has one (empty) page."""
    per_page = max(1, per_page)
    count = max(1, -(-len(items) // per_page))
    for number in range(1, count + 1):
        start = (number - 1) * per_page
        yield Pagination(base, items[start : start + per_page], number, count, len(items))
