"""A document's size is written as its reader writes sizes (fresh eyes: a French NGO read
"(12 KB)" in the middle of French): kilobytes rounded up, megabytes with one decimal."""

from __future__ import annotations

import pytest

from app.web.display import file_size


@pytest.mark.parametrize(
    ("language", "size", "shown"),
    [
        ("en", 0, "1 kB"),  # an empty file still reads as something
        ("en", 1, "1 kB"),
        ("en", 1024, "1 kB"),
        ("en", 1025, "2 kB"),
        ("fr", 12 * 1024, "12 ko"),
        ("fr", 3 * 1024 * 1024 // 2, "1,5 Mo"),
        ("ru", 12 * 1024, "12 кБ"),
        ("en", 10 * 1024 * 1024, "10 MB"),
    ],
)
def test_a_file_size_is_in_the_readers_units_and_notation(app, language, size, shown):
    with app.test_request_context("/", headers={"Accept-Language": language}):
        # The space may be a (narrow) no-break space, as the language's rules say.
        assert file_size(size).replace("\u202f", " ").replace("\xa0", " ") == shown
