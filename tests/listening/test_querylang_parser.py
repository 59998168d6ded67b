"""The query parser: every construct, precedence, and where errors are reported."""

from __future__ import annotations

import pytest

from listening.querylang import (
    And,
    Empty,
    FieldFilter,
    Near,
    Not,
    Or,
    Phrase,
    QuerySyntaxError,
    Term,
    parse,
)


def w(text, **kw):
    return Term(text, **kw)


@pytest.mark.parametrize(
    "query, tree",
    [
        ("acme", w("acme")),
        ("ACME", w("acme")),
        ("Café", w("cafe")),
        ('"Acme Customer Service"', Phrase((w("acme"), w("customer"), w("service")))),
        ("“acme corp”", Phrase((w("acme"), w("corp")))),
        ('"acme refun*"', Phrase((w("acme"), w("refun", prefix=True)))),
        ('"acme"', w("acme")),
        ('""', Empty()),
        ("refund*", w("refund", prefix=True)),
        ("скидк*", w("скидк", prefix=True)),
        ("#Acme", w("acme", kind="hashtag")),
        ("#acme*", w("acme", kind="hashtag", prefix=True)),
        ("@AcmeSupport", w("acmesupport", kind="mention")),
        ("@acme@mastodon.social", w("acme@mastodon.social", kind="mention")),
        ("acme~1", w("acme", fuzz=1)),
        ("acmecorp~2", w("acmecorp", fuzz=2)),
        ("华为", w("华为")),
        ("coca-cola", Phrase((w("coca"), w("cola")))),
        ("acme.com", Phrase((w("acme"), w("com")))),
        ("lang:EN", FieldFilter("lang", "en")),
        ("lang:zh_CN", FieldFilter("lang", "zh-cn")),
        ("platform:Reddit", FieldFilter("platform", "reddit")),
        ("author:@Acme", FieldFilter("author", "acme")),
        ('author:"Acme Support"', FieldFilter("author", "acme support")),
        ("acme NEAR/3 refund", Near(w("acme"), w("refund"), 3)),
        ("acme NEAR/0f refund", Near(w("acme"), w("refund"), 0, forward=True)),
        (
            '"acme app" NEAR/2 (refund OR "money back")',
            Near(
                Phrase((w("acme"), w("app"))),
                Or((w("refund"), Phrase((w("money"), w("back"))))),
                2,
            ),
        ),
        (
            "a NEAR/1 b NEAR/2 c",
            Near(Near(w("a"), w("b"), 1), w("c"), 2),
        ),
        ("acme refund", And((w("acme"), w("refund")))),
        ("acme AND refund", And((w("acme"), w("refund")))),
        ("acme OR ajax", Or((w("acme"), w("ajax")))),
        ("NOT acme", Not(w("acme"))),
        ("acme NOT job", And((w("acme"), Not(w("job"))))),
        ("acme AND NOT job", And((w("acme"), Not(w("job"))))),
        ("NOT NOT acme", Not(Not(w("acme")))),
        # Lower-case operators are words, as in Brandwatch.
        ("acme or ajax", And((w("acme"), w("or"), w("ajax")))),
        ("near", w("near")),
    ],
)
def test_it_parses_each_construct(query, tree):
    assert parse(query) == tree


@pytest.mark.parametrize(
    "query, tree",
    [
        # NOT binds tighter than AND, AND tighter than OR.
        ("a OR b AND c", Or((w("a"), And((w("b"), w("c")))))),
        ("a AND b OR c", Or((And((w("a"), w("b"))), w("c")))),
        ("NOT a AND b", And((Not(w("a")), w("b")))),
        ("NOT a OR b", Or((Not(w("a")), w("b")))),
        ("a b OR c d", Or((And((w("a"), w("b"))), And((w("c"), w("d")))))),
        ("a OR b c", Or((w("a"), And((w("b"), w("c")))))),
        # NEAR binds tightest of all.
        ("NOT a NEAR/2 b", Not(Near(w("a"), w("b"), 2))),
        ("x a NEAR/2 b", And((w("x"), Near(w("a"), w("b"), 2)))),
        # Parentheses override.
        ("(a OR b) c", And((Or((w("a"), w("b"))), w("c")))),
        ("NOT (a OR b)", Not(Or((w("a"), w("b"))))),
        ("(a OR (b OR c))", Or((w("a"), w("b"), w("c")))),
        ("((a))", w("a")),
        ("a AND b AND c", And((w("a"), w("b"), w("c")))),
        ("a (b c) lang:en", And((w("a"), w("b"), w("c"), FieldFilter("lang", "en")))),
    ],
)
def test_it_applies_precedence_and_implicit_and(query, tree):
    assert parse(query) == tree


def test_it_records_positions():
    tree = parse('acme AND NOT "money back" lang:en')
    assert [c.pos for c in tree.children] == [0, 9, 26]
    assert tree.children[1].child.pos == 13


@pytest.mark.parametrize(
    "query",
    [
        "acme",
        '(acme OR #acme OR @acme OR "acme corp") AND NOT (job OR hiring) lang:en',
        "a OR b AND NOT c",
        "(a OR b) NEAR/3f (c OR d) NEAR/1 e",
        "скидк* OR 华为 OR acme~1 OR acmecorp~2",
        'author:"a b" platform:x',
        "NOT (a AND b)",
        "a AND (b OR NOT c)",
    ],
)
def test_it_prints_a_tree_that_parses_back_to_itself(query):
    tree = parse(query)
    assert parse(str(tree)) == tree


ERRORS = [
    # (query, position, words the message must contain)
    ("", 0, ['Expected a term or "("', "empty query"]),
    ("   ", 0, ["empty query"]),
    ("acme AND", 8, ['Expected a term or "("', "end of query"]),
    ("acme OR", 7, ['Expected a term or "("', "end of query"]),
    ("AND acme", 0, ['Expected a term or "("', "found AND"]),
    ("acme OR OR ajax", 8, ['Expected a term or "("', "found OR"]),
    ("acme NOT", 8, ['Expected a term or "("', "end of query"]),
    ("acme NEAR/3", 11, ['Expected a term or "("', "end of query"]),
    ("(acme", 5, ['Expected ")"', 'the "(" at position 0', "end of query"]),
    ("((acme) OR ajax", 15, ['Expected ")"', 'the "(" at position 0']),
    ("acme)", 4, ["Expected an operator or end of query", 'found ")"']),
    ("acme OR ajax) AND x", 12, ['found ")"']),
    ("()", 1, ['Expected a term or "("', 'found ")"']),
    ("acme AND ()", 10, ['found ")"']),
    ("(acme OR)", 8, ['Expected a term or "("', 'found ")"']),
    ('"acme', 0, ["Expected a closing quote", "position 0"]),
    ('acme OR "money back', 8, ["Expected a closing quote"]),
    ("acme NEAR/x refund", 10, ["Expected a whole number after NEAR/", '"x"']),
    ("acme NEAR/ refund", 10, ["Expected a whole number after NEAR/"]),
    ("acme NEAR refund", 9, ["Expected a whole number after NEAR/"]),
    ("acme NEAR/2.5 refund", 10, ["Expected a whole number"]),
    ("foo:bar", 0, ["Expected a field name", '"foo:"']),
    ("acme site:x.com", 5, ["Expected a field name", "author:, lang: or platform:"]),
    ("lang:", 5, ['Expected a value after "lang:"', "end of query"]),
    ("lang: en", 5, ['Expected a value after "lang:"']),
    ('author:""', 7, ['Expected a value after "author:"']),
    ("acme~3", 5, ['Expected 1 or 2 after "~"', '"3"']),
    ("acme~", 5, ['Expected 1 or 2 after "~"', "nothing"]),
    ("ac*me", 2, ['Expected "*" only at the end of a term']),
    ("*acme", 0, ['Expected "*" only at the end of a term']),
    ("acme*~1", 4, ['Expected either "*" or "~"']),
    ("#", 1, ['Expected letters, digits or "_" after "#"']),
    ("#foo-bar", 1, ['Expected letters, digits or "_" after "#"']),
    ("@", 1, ['Expected a handle after "@"']),
    ("!!!", 0, ["Expected a term with letters or digits"]),
    ("acme *", 5, ["Expected a term with letters or digits", '"*"']),
    ("coca-cola~1", 0, ['Expected a single word before "~"']),
    ("-spam acme", 0, ["use NOT to exclude"]),
    ("(a AND b) NEAR/2 c", 1, ["Expected a word, phrase or OR-group on each side of NEAR/2"]),
    ("a NEAR/2 (b OR NOT c)", 10, ["Expected a word, phrase or OR-group"]),
    ("a NEAR/2 lang:en", 9, ["Expected a word, phrase or OR-group", "field filter"]),
]


@pytest.mark.parametrize("query, position, words", ERRORS, ids=[e[0] or "empty" for e in ERRORS])
def test_it_reports_where_a_query_is_invalid(query, position, words):
    with pytest.raises(QuerySyntaxError) as caught:
        parse(query)
    error = caught.value
    assert error.position == position, str(error)
    assert f"position {position}" in str(error)
    for word in words:
        assert word in str(error)


def test_it_raises_a_value_error_subclass():
    with pytest.raises(ValueError):
        parse("acme AND")
