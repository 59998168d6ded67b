"""Query editor warnings."""

from __future__ import annotations

import pytest

from listening.querylang import QuerySyntaxError, lint


def codes(query: str) -> list[str]:
    return [w.code for w in lint(query)]


@pytest.mark.parametrize(
    "query, expected",
    [
        # over-broad common words, in English, Russian and Chinese
        ("the", ["common-word"]),
        ("love OR acme", ["common-word"]),
        ("это", ["common-word"]),
        ("的", ["common-word"]),
        ("the lang:en", ["common-word"]),
        ("the NOT acme", ["common-word"]),
        ("the acme", []),  # AND with a specific word is fine
        ('"the acme"', []),
        # OR with an empty side
        ('acme OR ""', ["empty-or-side"]),
        ("acme OR (ajax AND NOT ajax)", ["contradiction", "empty-or-side"]),
        ('acme ""', ["empty-phrase"]),
        # NOT that excludes everything, or leaves only NOT
        ("NOT acme", ["only-not"]),
        ("NOT acme NOT ajax lang:en", ["only-not"]),
        ("acme AND NOT acme", ["contradiction"]),
        ("acme NOT (job OR acme)", ["contradiction"]),
        ("acme OR NOT ajax", ["or-not"]),
        ("lang:en", ["only-filters"]),
        # short wildcards
        ("a*", ["short-wildcard"]),
        ("ab* acme", ["short-wildcard"]),
        ("abc*", []),
        ("华*", []),
        # typo tolerance on words too short for it
        ("ibm~1", ["fuzzy-reduced"]),
        ("acme~2", ["fuzzy-reduced"]),
        ("acme~1", []),
        ("acmecorp~2", []),
        # lower-case operators
        ("acme or ajax", ["lowercase-operator"]),
        # a sensible brand query
        ('(acme OR #acme OR @acme OR "acme corp") AND NOT (job OR hiring) lang:en', []),
    ],
)
def test_it_warns_about_suspicious_queries(query, expected):
    assert sorted(codes(query)) == sorted(expected)


def test_warnings_point_at_the_offending_part():
    (warning,) = lint("acme AND ab*")
    assert warning.code == "short-wildcard"
    assert warning.position == 9
    assert "ab*" in warning.message

    (warning,) = lint("acme AND NOT acme")
    assert warning.position == 9


def test_it_refuses_an_invalid_query():
    with pytest.raises(QuerySyntaxError):
        lint("acme OR")
