"""RSS/Atom/JSON Feed connector against recorded feeds (served by a MockTransport)."""

from __future__ import annotations

import socket
import urllib.request
from datetime import UTC, datetime

import httpx
import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from listening.connectors import CONNECTORS, ParseError
from listening.http import FetchError, HTTPStatusError
from tests.listening.fixtures.connectors.recorded import MockServer, always, body

FEED_URL = "https://blog.example/feed/rss.xml"
rss = CONNECTORS["rss"]


def serve(content: bytes, content_type: str | None = "application/rss+xml", **headers: str):
    if content_type:
        headers["content-type"] = content_type
    return MockServer((always, httpx.Response(200, headers=headers, content=content)))


def fetch(server: MockServer, cursor: dict | None = None, url: str = FEED_URL):
    with server.client() as client:
        return rss.fetch({"url": url}, cursor or {}, client)


def rss_doc(items: str, *, prolog: str = "", encoding: str = "utf-8") -> bytes:
    return (
        f'<?xml version="1.0" encoding="{encoding}"?>{prolog}\n'
        '<rss version="2.0"><channel><title>Example Blog</title>'
        f"<link>https://blog.example/</link>{items}</channel></rss>"
    ).encode(encoding if encoding != "x-klingon" else "utf-8")


@pytest.fixture
def network_attempts(monkeypatch):
    """Records (and refuses) every attempt to open a connection or a URL, even one a parser
    would swallow as an error."""
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("network access refused by the test")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    return attempts


# --- real feeds -------------------------------------------------------------------------------


def test_it_reads_an_atom_feed():
    server = serve(
        body("feeds", "DaringFireball.atom"),
        "application/atom+xml",
        etag='"df-1"',
        **{"last-modified": "Tue, 27 Jun 2017 00:54:20 GMT"},
    )
    result = fetch(server, url="https://daringfireball.net/feeds/main")

    assert len(result.posts) == 48
    assert result.warnings == [] and result.skipped == 0 and not result.not_modified
    first = result.posts[0]
    assert first.platform == "rss"
    assert first.external_id == "tag:daringfireball.net,2017:/linked//6.33853"
    assert first.url == "https://daringfireball.net/thetalkshow/2017/06/26/ep-195"
    assert first.text.startswith(
        "The Talk Show: ‘I Do Like Throwing a Baby’\n\nNew episode of America’s favorite "
        "3-star podcast, with special guest John Moltz."
    )
    assert first.published_at == datetime(2017, 6, 27, 0, 54, 17, tzinfo=UTC)
    assert (first.author_handle, first.author_name) == ("daringfireball.net", "Daring Fireball")
    assert first.author_url == "https://daringfireball.net/"
    assert first.raw["author"] == "John Gruber"
    assert result.posts[1].url == "http://tidbits.com/article/17308"
    assert result.cursor == {"etag": '"df-1"', "last_modified": "Tue, 27 Jun 2017 00:54:20 GMT"}


def test_html_is_reduced_to_text():
    result = fetch(serve(body("feeds", "DaringFireball.atom"), "application/atom+xml"))
    for post in result.posts:
        assert "<a " not in post.text and "<p>" not in post.text and "&amp;" not in post.text


def test_it_reads_rss_1_0():
    result = fetch(serve(body("feeds", "bio.rdf"), "application/rdf+xml"))
    assert len(result.posts) == 30
    first = result.posts[0]
    assert first.external_id == "http://biorxiv.org/cgi/content/short/743294v1?rss=1"
    assert first.text.startswith("Wheat inositol pyrophosphate kinase (TaVIH2-3B) interacts")
    assert first.published_at == datetime(2019, 8, 27, tzinfo=UTC)
    assert first.author_name == "bioRxiv Subject Collection: Plant Biology"


def test_items_without_titles_use_their_description():
    result = fetch(serve(body("feeds", "scriptingNews.rss")))
    assert len(result.posts) == 50
    assert result.posts[0].text == "Good morning students and teachers! 🍏"
    assert result.posts[0].external_id == "http://scripting.com/2017/06/26.html#a080605"
    assert result.posts[0].lang == "en"


def test_a_feed_starting_with_a_byte_order_mark_is_read():
    result = fetch(serve(body("feeds", "donthitsave.xml")))
    assert len(result.posts) == 10
    assert result.posts[0].text.startswith("Skipping Around\n\nI was nearly murdered by a coconut")


def test_it_reads_a_json_feed():
    result = fetch(serve(body("feeds", "DaringFireball.json"), "application/json"))
    assert len(result.posts) == 48
    first = result.posts[0]
    assert first.external_id == "https://daringfireball.net/linked/2017/06/26/the-talk-show-195"
    assert first.text.startswith("The Talk Show: ‘I Do Like Throwing a Baby’\n\nNew episode")
    assert first.published_at == datetime(2017, 6, 27, 0, 54, 17, tzinfo=UTC)


# --- encodings --------------------------------------------------------------------------------


def test_a_declared_gb2312_feed_is_decoded():
    result = fetch(serve(body("feeds", "kc0011.rss")))
    assert len(result.posts) == 20
    first = result.posts[0]
    assert first.text.startswith(
        "建国35周年纪念，华表，和平鸽\n\n35周年1套520，华表60一个，和平鸽20一个"
    )
    assert first.lang == "zh"
    assert first.url == "http://www.kc0011.net/dispbbs.asp?BoardID=10&ID=25164257&Page=1"


@pytest.mark.parametrize("content_type", ["application/rss+xml", "text/xml", None])
def test_undeclared_gb2312_and_koi8r_are_detected(content_type):
    chinese = fetch(serve(body("feeds", "feedparser-chardet-gb2312.xml"), content_type))
    russian = fetch(serve(body("feeds", "feedparser-chardet-koi8r.xml"), content_type))
    assert chinese.posts[0].text == "不归移民漫画系列：专业工作"
    assert russian.posts[0].text.startswith(
        "Как пережить новогоднюю ночь\n\nНаверное, единственное"
    )
    assert chinese.warnings == russian.warnings == []


def test_an_unknown_declared_encoding_still_decodes():
    doc = rss_doc(
        "<item><title>Grüße aus Köln</title><guid>https://blog.example/1</guid></item>",
        encoding="x-klingon",
    )
    result = fetch(serve(doc))
    assert [p.text for p in result.posts] == ["Grüße aus Köln"]


# --- conditional GET ---------------------------------------------------------------------------


def test_it_sends_the_cursor_as_a_conditional_get_and_a_304_is_not_modified():
    server = MockServer(
        (
            lambda r: r.headers.get("if-none-match") == '"v7"',
            httpx.Response(304, headers={"etag": '"v7"'}),
        ),
    )
    cursor = {"etag": '"v7"', "last_modified": "Mon, 23 Nov 2026 08:00:00 GMT"}
    result = fetch(server, cursor)

    assert result.not_modified
    assert result.posts == []
    assert result.cursor == cursor
    sent = server.requests[0].headers
    assert sent["if-modified-since"] == "Mon, 23 Nov 2026 08:00:00 GMT"
    assert sent["user-agent"].startswith("SocialHubBot/1.0")
    assert "application/rss+xml" in sent["accept"]


def test_a_first_fetch_sends_no_conditional_headers_and_a_server_without_validators_clears_them():
    server = serve(rss_doc("<item><title>Hi</title><guid>https://blog.example/1</guid></item>"))
    result = fetch(server, {"etag": '"old"'})
    assert result.cursor == {}
    assert server.requests[0].headers["if-none-match"] == '"old"'
    fresh = serve(rss_doc("<item><title>Hi</title><guid>https://blog.example/1</guid></item>"))
    fetch(fresh)
    assert "if-none-match" not in fresh.requests[0].headers
    assert "if-modified-since" not in fresh.requests[0].headers


# --- links and ids ----------------------------------------------------------------------------


def test_relative_links_are_resolved_against_the_final_feed_address():
    doc = rss_doc(
        "<item><title>One</title><link>posts/1.html</link><guid isPermaLink='false'>42</guid>"
        "</item><item><title>Two</title><link>/about</link></item>"
    )
    server = MockServer(
        (
            lambda r: r.url.host == "old.example",
            httpx.Response(301, headers={"location": "https://blog.example/feed/rss.xml"}),
        ),
        (always, httpx.Response(200, headers={"content-type": "application/rss+xml"}, content=doc)),
    )
    result = fetch(server, url="https://old.example/rss")
    one, two = result.posts
    assert one.url == "https://blog.example/feed/posts/1.html"
    assert one.external_id == "https://blog.example/feed/rss.xml#42"  # a guid unique per feed only
    assert two.url == "https://blog.example/about"
    assert two.external_id == "https://blog.example/about"  # no guid: the link


def test_relative_guids_are_qualified_by_the_feed_address():
    result = fetch(serve(body("feeds", "livemint.xml")), url="https://www.livemint.com/rss/news")
    assert result.posts[0].external_id == "https://www.livemint.com/rss/1559104147038"
    assert result.posts[0].url.startswith("https://www.livemint.com/news/india/pm-modi-xi-jinping")


def test_links_that_are_not_http_are_dropped():
    doc = rss_doc(
        "<item><title>Click</title><link>javascript:alert(document.cookie)</link>"
        "<guid>urn:uuid:1</guid></item>"
    )
    (post,) = fetch(serve(doc)).posts
    assert post.url == ""
    assert post.external_id == "urn:uuid:1"


# --- bad input --------------------------------------------------------------------------------


def test_a_malformed_feed_that_can_be_recovered_gives_its_entries_and_says_so():
    result = fetch(serve(body("feeds", "TenderLovemaking.xml")))
    assert len(result.posts) == 10
    assert result.posts[0].text.startswith("Nokogiri’s Slop Feature\n\nOops!")
    assert result.warnings == [
        "The feed is not well-formed XML (XML or text declaration not at start of entity at "
        "line 3, column 0); 10 entries were recovered by the lenient parser."
    ]

    result = fetch(serve(body("feeds", "PaulDixExplainsNothingWFW.xml"), "application/atom+xml"))
    assert len(result.posts) == 5
    assert result.posts[0].external_id == "tag:typepad.com,2003:post-61753462"
    assert "unbound prefix at line 45" in result.warnings[0]


def test_a_truncated_feed_keeps_what_came_before_the_cut():
    doc = (
        rss_doc(
            "<item><title>First</title><guid>https://blog.example/1</guid></item><item><title>Sec"
        ).split(b"<title>Sec")[0]
        + b"<title>Sec"
    )
    result = fetch(serve(doc))
    assert [p.text for p in result.posts] == ["First"]
    assert "not well-formed XML (no element found" in result.warnings[0]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b"<!doctype html><html><body><p>Welcome!</p></body></html>",
            "is not a readable RSS or Atom feed (syntax error at line 2, column 0).",
        ),
        (bytes(range(256)) * 4, "is not a readable RSS or Atom feed (not well-formed"),
        (b"", "answered with an empty body."),
        (b'{"not": "a feed"}', "is JSON but not a JSON Feed."),
        (b'{"version": "https://jsonfeed.org/version/1", "items": [', "not a readable JSON Feed"),
    ],
)
def test_a_body_that_is_no_feed_is_a_clear_error(content, message):
    with pytest.raises(ParseError) as exc:
        fetch(serve(content))
    assert str(exc.value).startswith(FEED_URL)
    assert message in str(exc.value)


def test_an_http_error_is_a_fetch_error():
    server = MockServer((always, httpx.Response(410, content=b"gone")))
    with pytest.raises(HTTPStatusError) as exc:
        fetch(server)
    assert isinstance(exc.value, FetchError)
    assert str(exc.value) == f"{FEED_URL} answered 410 Gone."


def test_external_entities_are_never_resolved(tmp_path, network_attempts):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-42")
    for prolog in (
        f'\n<!DOCTYPE rss [\n<!ENTITY xxe SYSTEM "file://{secret}">\n]>',
        f'<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://{secret}">]>',
        '<!DOCTYPE rss [<!ENTITY xxe SYSTEM "http://169.254.169.254/latest/meta-data/">]>',
        '<!DOCTYPE rss [<!ENTITY % dtd SYSTEM "http://127.0.0.1:9/evil.dtd"> %dtd;]>',
        '<!DOCTYPE rss SYSTEM "http://127.0.0.1:9/evil.dtd">',
    ):
        doc = rss_doc(
            "<item><title>Leak: &xxe; end</title><guid>https://blog.example/1</guid></item>",
            prolog=prolog,
        )
        server = serve(doc)
        result = fetch(server)
        assert len(server.requests) == 1
        assert all("TOP-SECRET" not in p.text and "ami-id" not in p.text for p in result.posts)
        assert result.posts[0].text.startswith("Leak:")
    assert network_attempts == []


def test_entity_expansion_bombs_are_not_expanded():
    lol = "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' if i else '<!ENTITY lol0 "lol">'
        for i in range(10)
    )
    doc = rss_doc(
        "<item><title>boom &lol9;</title><guid>https://blog.example/1</guid></item>",
        prolog=f"<!DOCTYPE rss [{lol}]>",
    )
    result = fetch(serve(doc))

    # Expanded, the title would be a billion "lol"s (and the worker out of memory).
    assert len(result.posts[0].text) < 100


# --- the post rules on feed entries -----------------------------------------------------------


def test_an_entry_without_text_is_skipped():
    doc = rss_doc(
        "<item><link>https://blog.example/podcast.mp3</link>"
        "<enclosure url='https://blog.example/podcast.mp3' type='audio/mpeg' length='1'/></item>"
        "<item><title>  </title><description><![CDATA[<img src='a.png'>]]></description></item>"
        "<item><title>Kept</title></item>"
    )
    result = fetch(serve(doc))
    assert [p.text for p in result.posts] == ["Kept"]
    assert result.skipped == 2


def test_an_emoji_only_entry_is_kept():
    doc = rss_doc("<item><title>🎉🎉</title><guid>https://blog.example/e</guid></item>")
    assert fetch(serve(doc)).posts[0].text == "🎉🎉"


def test_a_100kb_entry_is_capped_at_20000_characters():
    doc = rss_doc(
        "<item><title>Long</title><guid>https://blog.example/l</guid>"
        f"<description>{'word ' * 20_000}</description></item>"
    )
    (post,) = fetch(serve(doc)).posts
    assert len(post.text) == 20_000
    assert post.text.startswith("Long\n\nword word")


def test_a_future_date_is_clamped_and_raw_keeps_it():
    doc = rss_doc(
        "<item><title>Scheduled</title><guid>https://blog.example/s</guid>"
        "<pubDate>Fri, 01 Jan 2099 10:00:00 GMT</pubDate></item>"
    )
    before = timezone.now()
    (post,) = fetch(serve(doc)).posts
    assert before <= post.published_at <= timezone.now()
    assert post.raw["published"] == "Fri, 01 Jan 2099 10:00:00 GMT"


# --- the Source form ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({}, "Enter an http(s) feed address."),
        ({"url": "ftp://example.com/feed"}, "Enter an http(s) feed address."),
        ({"url": "file:///etc/passwd"}, "Enter an http(s) feed address."),
        ({"url": "example.com/feed"}, "Enter an http(s) feed address."),
        (
            {"url": "http://169.254.169.254/feed"},
            "Refused to fetch from 169.254.169.254: it is a cloud metadata address.",
        ),
        (
            {"url": "http://0x7f000001/feed"},
            "Refused to fetch from 0x7f000001 (127.0.0.1): it is a loopback address.",
        ),
    ],
)
def test_validate_config_explains_a_bad_address(config, message):
    with pytest.raises(ValidationError) as exc:
        rss.validate_config(config)
    assert exc.value.message_dict == {"url": [message]}


def test_validate_config_keeps_a_good_address():
    assert rss.validate_config({"url": " https://blog.example/feed ", "x": 1}) == {
        "url": "https://blog.example/feed"
    }
