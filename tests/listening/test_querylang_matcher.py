"""The many-query Matcher: its prefilter must never change the answer.

The property tests generate queries and posts from one small vocabulary (so that they
actually hit each other) and compare the Matcher with evaluating every query in full.
"""

from __future__ import annotations

import io
import random
import re
from concurrent.futures import ThreadPoolExecutor

from django.core.management import call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from listening.querylang import Matcher, MatchInput, analyze, compile_query, parse
from listening.querylang.bench import make_posts, make_queries, run_benchmark
from listening.querylang.text import (
    TOKEN_RE,
    deletions,
    fold,
    osa_distance_within,
    split_text,
    tokenize,
)

SETTINGS = settings(database=None, deadline=None, derandomize=True, max_examples=300)

POSITIONAL_ATOMS = [
    "acme",
    "ACME",
    "#acme",
    "@acme",
    "acme~1",
    "refund~1",
    "refunds~2",
    "acmecorp~2",
    "ac*",
    "refun*",
    "скидк*",
    "华为",
    "手机",
    "ibm~1",
    "scam",
    "the",
    "bob",
    '"acme refund"',
    '"coca cola"',
    '"acme refun*"',
    '"#acme rocks"',
    "coca-cola",
    "café",
    "#华为",
    "#华为*",
    "@bob@host.social",
    "@bob*",
    "#acme~1",
    '""',
]
FILTER_ATOMS = ["lang:en", "lang:ru", "lang:zh-cn", "platform:reddit", "author:bob"]

positional = st.recursive(
    st.sampled_from(POSITIONAL_ATOMS),
    lambda inner: st.one_of(
        st.tuples(inner, inner).map(lambda t: f"({t[0]} OR {t[1]})"),
        st.tuples(inner, st.integers(0, 3), st.booleans(), inner).map(
            lambda t: f"({t[0]} NEAR/{t[1]}{'f' if t[2] else ''} {t[3]})"
        ),
    ),
    max_leaves=4,
)
boolean = st.recursive(
    st.one_of(positional, st.sampled_from(FILTER_ATOMS)),
    lambda inner: st.one_of(
        st.tuples(inner, inner).map(lambda t: f"({t[0]} AND {t[1]})"),
        st.tuples(inner, inner).map(lambda t: f"({t[0]} {t[1]})"),
        st.tuples(inner, inner).map(lambda t: f"({t[0]} OR {t[1]})"),
        st.tuples(inner, inner).map(lambda t: f"({t[0]} AND NOT {t[1]})"),
    ),
    max_leaves=6,
)
# Mostly queries with a positive part (the prefilter's job), sometimes a bare NOT.
queries = st.tuples(st.integers(0, 3), boolean).map(lambda t: t[1] if t[0] else f"NOT {t[1]}")

POST_WORDS = [
    "acme",
    "Acme",
    "ÀCME",
    "acne",
    "amce",
    "acmee",
    "acmecrop",
    "#acme",
    "#Acne",
    "@acme",
    "@bob@host.social",
    "@bob",
    "refund",
    "refunds",
    "refudns",
    "rocks",
    "coca",
    "cola",
    "Coca-Cola",
    "скидка",
    "скидкой",
    "华为手机",
    "我的华为",
    "#华为",
    "#华为手机",
    "#我的华为",
    "手机坏了",
    "xacme",
    "unrefunded",
    "@bobby",
    "ibm",
    "ibn",
    "scam",
    "the",
    "cafe",
    "CAFÉ",
    "bob",
    ",",
    "!",
]
posts = st.builds(
    MatchInput,
    text=st.lists(st.sampled_from(POST_WORDS), max_size=12).map(" ".join),
    lang=st.sampled_from(["", "en", "en-US", "ru", "zh-CN", "zh"]),
    platform=st.sampled_from(["", "reddit", "mastodon"]),
    author=st.sampled_from(["", "bob", "@Bob@host.social", "alice"]),
)


def evaluate_each(compiled, post):
    """Every query in full, no prefilter (one tokenization, separate from the Matcher's)."""
    doc = analyze(post)
    return [i for i, q in enumerate(compiled) if q.matches(doc)]


@SETTINGS
@given(st.lists(queries, min_size=1, max_size=25), st.lists(posts, min_size=1, max_size=8))
def test_the_prefilter_returns_exactly_what_full_evaluation_returns(query_texts, post_list):
    compiled = [compile_query(q) for q in query_texts]
    matcher = Matcher(enumerate(compiled))
    for post in post_list:
        expected = evaluate_each(compiled, post)
        assert matcher.match(post) == expected, post
        assert set(expected) <= matcher.candidates(post)


@SETTINGS
@given(queries)
def test_printing_a_query_and_parsing_it_again_gives_the_same_tree(query):
    tree = parse(query)
    assert parse(str(tree)) == tree


@SETTINGS
@given(st.text(alphabet="aZb0_ #@.-中文かナ한éё\u0301!，ＡßİÅ\u3099\u30fb😀", max_size=16))
def test_the_fast_tokenizer_agrees_with_the_reference_regex(text):
    assert tokenize(text) == TOKEN_RE.findall(fold(text))
    tokens, words = split_text(text)
    assert set(words) >= {t.lstrip("#@") for t in tokens if t[0] != "@"}


def reference_osa(a: str, b: str) -> int:
    d = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        d[i][0] = i
    for j in range(len(b) + 1):
        d[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


short_words = st.text(alphabet="abcde", max_size=8)


@SETTINGS
@given(short_words, short_words, st.integers(0, 2))
def test_the_distance_check_and_its_deletion_prefilter_are_exact(a, b, k):
    within = reference_osa(a, b) <= k
    assert osa_distance_within(a, b, k) is within
    if within:  # the SymSpell prefilter never loses a match
        assert deletions(a, k) & deletions(b, k)


def test_it_returns_ids_in_the_order_queries_were_given():
    matcher = Matcher({"z": "acme", "a": "#acme", 3: "acme OR ajax", "never": "ajax"})
    assert matcher.match(MatchInput("#acme")) == ["z", "a", 3]
    assert matcher.match_many([MatchInput("ajax"), MatchInput("nothing")]) == [
        [3, "never"],
        [],
    ]
    assert len(matcher) == 4


def test_only_queries_without_a_required_literal_are_always_evaluated():
    matcher = Matcher(
        {
            "brand": "acme OR #acme",
            "filtered": "acme lang:en",
            "only-lang": "lang:ru",
            "only-not": "NOT acme",
            "or-not": "acme OR NOT ajax",
        }
    )
    assert matcher.always_evaluated == ["only-not", "or-not"]
    assert matcher.candidates(MatchInput("nothing here", lang="en")) == {"only-not", "or-not"}
    assert matcher.candidates(MatchInput("nothing", lang="ru")) == {
        "only-lang",
        "only-not",
        "or-not",
    }
    assert "brand" in matcher.candidates(MatchInput("#Acme"))


def test_the_required_literals_come_from_the_positive_part():
    def required(query):
        return compile_query(query).required

    assert required("acme AND NOT job") == {("word", "acme")}
    assert required("(acme OR ajax) refund") == {("word", "refund")}  # one word beats two
    assert required("the acmecorp") == {("word", "acmecorp")}  # a rare word beats a common one
    assert required('"the acme"') == {("word", "acme")}
    assert required("скидк* OR 华为 OR acme~1") == {
        ("prefix", "скидк"),
        ("cjk", "华为"),
        ("fuzzy", "acme", 1),
    }
    assert required("@acme OR #ajax*") == {("word", "acme"), ("prefix", "ajax")}
    assert required("acme lang:en") == {("word", "acme")}
    assert required("lang:en") == {("field", "l:en")}
    assert required("NOT acme") is None
    assert required("acme OR NOT ajax") is None
    assert required('""') == frozenset()


def test_the_token_cache_is_bounded_and_still_correct_when_cleared():
    compiled = [compile_query(q) for q in make_queries(60)]
    matcher = Matcher(enumerate(compiled), max_cached_tokens=50)
    for post in make_posts(150, seed=3):
        assert matcher.match(post) == evaluate_each(compiled, post)
        assert len(matcher._cache[2]) <= 50 + len(post.text.split()) + 5


def test_the_benchmark_queries_and_posts_agree_with_full_evaluation():
    query_texts = make_queries(300)
    compiled = [compile_query(q) for q in query_texts]
    matcher = Matcher(enumerate(compiled))
    matched = 0
    for post in make_posts(500, seed=5):
        expected = evaluate_each(compiled, post)
        assert matcher.match(post) == expected
        matched += bool(expected)
    assert matched > 10  # the benchmark's posts do mention the benchmark's brands


def test_a_randomized_mix_of_many_queries_agrees_with_full_evaluation():
    rng = random.Random(20240607)
    atoms = POSITIONAL_ATOMS + FILTER_ATOMS
    query_texts = []
    for _ in range(300):
        parts = [rng.choice(atoms) for _ in range(rng.randint(1, 4))]
        ops = [rng.choice([" AND ", " OR ", " ", " AND NOT ", " NEAR/2 "]) for _ in parts[1:]]
        text = parts[0] + "".join(op + part for op, part in zip(ops, parts[1:], strict=True))
        try:
            query_texts.append(compile_query(text))
        except ValueError:  # NEAR next to a field filter
            continue
    matcher = Matcher(enumerate(query_texts))
    for _ in range(300):
        post = MatchInput(
            " ".join(rng.choice(POST_WORDS) for _ in range(rng.randint(0, 15))),
            lang=rng.choice(["en", "ru", "zh-cn", ""]),
            platform=rng.choice(["reddit", ""]),
            author=rng.choice(["bob", ""]),
        )
        assert matcher.match(post) == evaluate_each(query_texts, post)


def test_the_benchmark_command_prints_throughput_last():
    out = io.StringIO()
    call_command("bench_matcher", queries=30, posts=200, warmup=50, stdout=out)
    last = out.getvalue().splitlines()[-1]
    assert re.fullmatch(r"posts_per_s=\d+ queries=30", last), last


def test_the_benchmark_counts_what_it_matched():
    result = run_benchmark(30, post_count=200, warmup=0)
    assert (result.queries, result.posts) == (30, 200)
    assert result.matches >= result.matched_posts > 0


def test_one_matcher_can_be_shared_by_threads():
    compiled = [compile_query(q) for q in make_queries(120)]
    matcher = Matcher(enumerate(compiled), max_cached_tokens=300)
    post_list = make_posts(400, seed=9)
    expected = [evaluate_each(compiled, p) for p in post_list]
    with ThreadPoolExecutor(max_workers=4) as pool:
        chunks = [post_list[i::4] for i in range(4)]
        results = list(pool.map(matcher.match_many, chunks))
    for i, chunk_result in enumerate(results):
        assert chunk_result == expected[i::4]
