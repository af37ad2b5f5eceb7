"""Pagination: every row on exactly one page, and a pager whose size does not grow."""

from __future__ import annotations

import pytest

from yishi.site.pagination import page_link, page_src, paginate


@pytest.mark.parametrize(("rows", "per_page", "pages"), [(0, 5, 1), (5, 5, 1), (6, 5, 2), (101, 10, 11)])
def test_every_row_on_exactly_one_page(rows: int, per_page: int, pages: int) -> None:
    items = list(range(rows))
    result = list(paginate("issues/", items, per_page))
    assert len(result) == pages
    assert [x for page in result for x in page.items] == items
    assert all(page.total == rows and page.count == pages for page in result)


def test_urls_and_neighbours() -> None:
    first, second, third = paginate("communities/a/", list(range(7)), 3)
    assert (first.src_uri, first.url) == ("communities/a/index.md", "communities/a/")
    assert (second.src_uri, second.url) == ("communities/a/page/2.md", "communities/a/page/2/")
    assert first.previous is None and first.next == "communities/a/page/2/"
    assert second.previous == "communities/a/" and third.next is None
    assert page_src("x/", 3) == "x/page/3.md" and page_link("x/", 1) == "x/"


def test_pager_window_is_bounded() -> None:
    pages = list(paginate("issues/", list(range(1000)), 1))
    window = pages[500].window()
    numbers = [n for n, url in window if url]
    assert numbers == [1, 499, 500, 501, 502, 503, 1000]
    assert sum(1 for _, url in window if url is None) == 2  # the gaps
    assert len(pages[0].window()) == len(pages[1].window()) - 1
