"""The outbound HTTP client: SSRF guard, limits and typed errors.

Nothing here leaves the machine: addresses that must be refused are refused before any
socket is opened (a spy on ``socket.create_connection`` proves it), names are resolved by a
monkeypatched ``socket.getaddrinfo``, and the real exchanges go to a server on 127.0.0.1.
"""

from __future__ import annotations

import gzip
import json
import socket
import ssl
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from listening.http import (
    DEFAULT_MAX_BYTES,
    USER_AGENT,
    BlockedAddress,
    ConnectionFailed,
    FetchResponse,
    HttpClient,
    HTTPStatusError,
    InvalidResponse,
    InvalidURL,
    Timeout,
    TooLarge,
    TooManyRedirects,
    blocked_reason,
    parse_ip_literal,
    redact,
)

FIFTY_MB = 50 * 1024 * 1024
CHUNK = 64 * 1024


# --- a local server ---------------------------------------------------------------------------


class Handler(BaseHTTPRequestHandler):
    server: LocalServer

    def log_message(self, *args):  # keep test output quiet
        pass

    def do_GET(self):
        self.server.seen.append((self.command, self.path, dict(self.headers)))
        path = self.path.split("?", 1)[0]
        route = getattr(self, "route_" + path.strip("/").split("/")[0].replace("-", "_"), None)
        if route is None:
            return self.reply(404, b"not here")
        try:
            route(path)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client hung up on purpose

    def do_POST(self):
        length = int(self.headers.get("content-length") or 0)
        self.rfile.read(length)
        self.do_GET()

    def reply(self, status, body=b"", headers=None):
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if status != 304:
            self.wfile.write(body)

    def redirect(self, location, status=302):
        self.reply(status, b"", {"Location": location})

    def route_ok(self, path):
        self.reply(200, b"hello", {"Content-Type": "text/plain; charset=utf-8"})

    def route_redirect(self, path):
        left = int(path.rsplit("/", 1)[1])
        if left == 0:
            return self.reply(200, b"arrived")
        self.redirect(f"/redirect/{left - 1}")

    def route_to_metadata(self, path):
        self.redirect("http://169.254.169.254/latest/meta-data/iam/security-credentials/")

    def route_to_evil(self, path):
        self.redirect(f"http://evil.test:{self.server.server_port}/ok")

    def route_to_file(self, path):
        self.redirect("file:///etc/passwd")

    def route_to_other_origin(self, path):
        self.redirect(f"http://other.test:{self.server.server_port}/echo")

    def route_to_same_origin(self, path):
        self.redirect("/echo", status=307)

    def route_post_then_get(self, path):
        self.redirect("/echo", status=303)

    def route_echo(self, path):
        body = json.dumps({"method": self.command, "headers": dict(self.headers)}).encode()
        self.reply(200, body, {"Content-Type": "application/json"})

    def route_status(self, path):
        status = int(path.rsplit("/", 1)[1])
        self.reply(status, b"nope", {"Retry-After": "120"} if status in (429, 503) else {})

    def route_feed(self, path):
        etag, modified = '"v1"', "Mon, 23 Nov 2026 08:00:00 GMT"
        if self.headers.get("If-None-Match") == etag:
            return self.reply(304, headers={"ETag": etag})
        body = b"<rss version='2.0'><channel><title>t</title></channel></rss>"
        self.reply(200, body, {"ETag": etag, "Last-Modified": modified})

    def route_big_declared(self, path):
        self.send_response(200)
        self.send_header("Content-Length", str(FIFTY_MB))
        self.end_headers()
        self.stream_zeros()

    def route_big_streamed(self, path):
        # HTTP/1.0 and no Content-Length: the body runs until the server closes.
        self.send_response(200)
        self.end_headers()
        self.stream_zeros()

    def stream_zeros(self):
        zeros = b"\0" * CHUNK
        try:
            while self.server.bytes_sent < FIFTY_MB:
                self.wfile.write(zeros)
                self.server.bytes_sent += CHUNK
        finally:
            self.server.streaming_done.set()

    def route_gzip_bomb(self, path):
        body = gzip.compress(b"\0" * (DEFAULT_MAX_BYTES * 2), compresslevel=9)
        self.reply(200, body, {"Content-Encoding": "gzip"})

    def route_big_error(self, path):
        self.send_response(500)
        self.send_header("Content-Length", str(FIFTY_MB))
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"error": "database on fire", "trace": "')
        self.stream_zeros()

    def route_slow(self, path):
        self.server.stop.wait(5)
        self.reply(200, b"too late")

    def route_trickle(self, path):
        self.send_response(200)
        self.send_header("Content-Length", "1000")
        self.end_headers()
        for _ in range(1000):
            if self.server.stop.wait(0.05):
                return
            self.wfile.write(b"x")
            self.wfile.flush()


class LocalServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), Handler)
        self.seen = []
        self.bytes_sent = 0
        self.stop = threading.Event()
        self.streaming_done = threading.Event()

    def url(self, path):
        return f"http://127.0.0.1:{self.server_port}{path}"


@pytest.fixture
def server():
    srv = LocalServer()
    thread = threading.Thread(target=srv.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield srv
    srv.stop.set()
    srv.shutdown()
    srv.server_close()
    thread.join(5)


@pytest.fixture
def client(settings):
    settings.SOCIALHUB_HTTP_ALLOWED_HOSTS = ["127.0.0.1"]
    with HttpClient() as c:
        yield c


@pytest.fixture
def no_sockets(monkeypatch):
    """Fail the test if anything tries to open a TCP connection."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"a connection was attempted: {args}")

    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.fixture
def fake_dns(monkeypatch):
    """``socket.getaddrinfo`` answering from a table; other names go to the real resolver
    (only IP literals reach it in these tests). Records every name asked for."""
    table: dict[str, list[str]] = {}
    asked: list[str] = []
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        asked.append(host)
        if host in table:
            answer = table[host]
            addresses = answer.pop(0) if isinstance(answer[0], list) else answer
            return [
                (
                    socket.AF_INET6 if ":" in a else socket.AF_INET,
                    socket.SOCK_STREAM,
                    6,
                    "",
                    (a, port or 0),
                )
                for a in addresses
            ]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return _Dns(table, asked)


class _Dns:
    def __init__(self, table, asked):
        self.table = table
        self.asked = asked


# --- refused before any connection ------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "gopher://127.0.0.1:70/_GET%20/",
        "ftp://example.com/feed.xml",
        "javascript:alert(1)",
        "dict://127.0.0.1:11211/stat",
        "example.com/feed.xml",
    ],
)
def test_it_refuses_schemes_other_than_http_and_https(url, no_sockets):
    with HttpClient(allowed_hosts=[]) as c, pytest.raises(InvalidURL) as exc:
        c.get(url)
    assert "Only http and https" in str(exc.value)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://2130706433/",  # decimal
        "http://0177.0.0.1/",  # octal
        "http://0x7f000001/",  # hex
        "http://0x7f.0.0.1/",
        "http://127.1/",
        "http://0177.1/",
        "http://127。0。0。1/",  # ideographic full stops, mapped by IDNA at connect time
        "http://[0:0:0:0:0:ffff:7f00:1]/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "https://[::ffff:7f00:1]:8443/",
        "http://[64:ff9b::7f00:1]/",  # NAT64 wrapping 127.0.0.1
        "http://[2002:7f00:1::]/",  # 6to4 wrapping 127.0.0.1
    ],
)
def test_it_refuses_loopback_in_every_spelling(url, no_sockets):
    with HttpClient(allowed_hosts=[]) as c, pytest.raises(BlockedAddress) as exc:
        c.get(url)
    assert "loopback" in str(exc.value)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://169.254.169.254/latest/meta-data/", "cloud metadata"),
        ("http://[fd00:ec2::254]/latest/meta-data/", "cloud metadata"),
        ("http://100.100.100.200/latest/meta-data/", "cloud metadata"),
        ("http://168.63.129.16/machine", "cloud metadata"),
        ("http://[::ffff:169.254.169.254]/", "cloud metadata"),
        ("http://0/", "unspecified"),
        ("http://0.0.0.0:8000/", "unspecified"),
        ("http://[::]/", "unspecified"),
        ("http://10.1.2.3/", "private"),
        ("http://172.16.0.1/", "private"),
        ("http://192.168.1.1/admin", "private"),
        ("http://[fc00::1]/", "private"),
        ("http://169.254.1.1/", "link-local"),
        ("http://[fe80::1]/", "link-local"),
        ("http://224.0.0.1/", "multicast"),
        ("http://[ff02::1]/", "multicast"),
        ("http://240.0.0.1/", "reserved"),
        ("http://100.64.0.1/", "carrier-grade NAT"),
        ("http://192.0.2.10/", "private"),  # TEST-NET-1, documentation only
    ],
)
def test_it_refuses_non_public_addresses(url, reason, no_sockets):
    with HttpClient(allowed_hosts=[]) as c, pytest.raises(BlockedAddress) as exc:
        c.get(url)
    assert reason in str(exc.value)


def test_it_names_the_address_a_strange_spelling_means(no_sockets):
    with HttpClient(allowed_hosts=[]) as c, pytest.raises(BlockedAddress) as exc:
        c.get("http://2130706433/")
    assert (
        str(exc.value) == "Refused to fetch from 2130706433 (127.0.0.1): it is a loopback address."
    )


def test_public_addresses_are_not_blocked():
    for address in ("93.184.215.14", "8.8.8.8", "2606:4700:4700::1111"):
        assert blocked_reason(parse_ip_literal(address)) is None


def test_host_names_are_not_mistaken_for_addresses():
    for host in ("example.com", "deadbeef", "cafe.example", "1password.com"):
        assert parse_ip_literal(host) is None


# --- refused after resolving, on the address actually used ------------------------------------


def test_it_refuses_a_name_that_resolves_to_loopback(fake_dns, no_sockets):
    fake_dns.table["evil.test"] = ["127.0.0.1"]
    with HttpClient(allowed_hosts=[]) as c, pytest.raises(BlockedAddress) as exc:
        c.get("http://evil.test/")
    assert (
        str(exc.value) == "Refused to fetch from evil.test (127.0.0.1): it is a loopback address."
    )


def test_it_refuses_a_name_with_one_private_address_among_public_ones(fake_dns, no_sockets):
    fake_dns.table["mixed.test"] = ["93.184.215.14", "10.0.0.5"]
    with HttpClient(allowed_hosts=[]) as c, pytest.raises(BlockedAddress) as exc:
        c.get("https://mixed.test/feed")
    assert "10.0.0.5" in str(exc.value)


def test_it_connects_to_the_address_it_checked_not_a_second_lookup(fake_dns, monkeypatch):
    # DNS rebinding: the first answer is public, any later one is loopback. The client must
    # resolve once and connect to that vetted address. The connection itself is refused here
    # so nothing leaves the machine.
    fake_dns.table["rebind.test"] = [["93.184.215.14"], ["127.0.0.1"], ["127.0.0.1"]]
    connected = []

    def create_connection(address, *args, **kwargs):
        connected.append(address)
        raise ConnectionRefusedError("refused by the test")

    monkeypatch.setattr(socket, "create_connection", create_connection)
    with HttpClient(allowed_hosts=[]) as c, pytest.raises(ConnectionFailed):
        c.get("http://rebind.test/")
    assert connected == [("93.184.215.14", 80)]
    assert fake_dns.asked.count("rebind.test") == 1


def test_an_unknown_host_is_a_connection_failure(monkeypatch):
    def getaddrinfo(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    with HttpClient(allowed_hosts=[]) as c, pytest.raises(ConnectionFailed) as exc:
        c.get("https://no-such-host.test/")
    assert "Could not resolve the host no-such-host.test" in str(exc.value)


# --- against a real local server -------------------------------------------------------------


def test_the_local_server_is_refused_unless_allowed(server):
    with HttpClient(allowed_hosts=[]) as c, pytest.raises(BlockedAddress):
        c.get(server.url("/ok"))
    assert server.seen == []


def test_the_allowed_hosts_setting_lets_the_local_server_through(server, client):
    response = client.get(server.url("/ok"))
    assert response.status_code == 200
    assert response.content == b"hello"
    assert response.text == "hello"
    assert response.encoding == "utf-8"


def test_it_sends_a_clear_user_agent(server, client):
    headers = client.get(server.url("/echo")).json()["headers"]
    assert headers["User-Agent"] == USER_AGENT
    assert USER_AGENT.startswith("SocialHubBot/1.0 (+https://")


def test_it_follows_a_redirect_chain(server, client):
    response = client.get(server.url("/redirect/5"))
    assert response.content == b"arrived"
    assert response.url == server.url("/redirect/0")
    assert len(response.redirects) == 5


def test_it_stops_after_five_redirects(server, client):
    with pytest.raises(TooManyRedirects) as exc:
        client.get(server.url("/redirect/6"))
    assert "redirected more than 5 times" in str(exc.value)
    assert len(server.seen) == 6


def test_it_refuses_a_redirect_to_the_metadata_address(server, client):
    with pytest.raises(BlockedAddress) as exc:
        client.get(server.url("/to-metadata"))
    assert (
        str(exc.value) == "Refused to fetch from 169.254.169.254: it is a cloud metadata address."
    )


def test_it_refuses_a_redirect_to_a_name_resolving_to_loopback(server, client, fake_dns):
    fake_dns.table["evil.test"] = ["127.0.0.1"]
    with pytest.raises(BlockedAddress) as exc:
        client.get(server.url("/to-evil"))
    assert "evil.test (127.0.0.1)" in str(exc.value)
    assert [path for _, path, _ in server.seen] == ["/to-evil"]


def test_it_refuses_a_redirect_to_a_file_url(server, client):
    with pytest.raises(InvalidURL) as exc:
        client.get(server.url("/to-file"))
    assert "not file://" in str(exc.value)


def test_it_keeps_credentials_on_a_same_origin_redirect(server, client):
    response = client.get(server.url("/to-same-origin"), headers={"Authorization": "Bearer s3"})
    assert response.json()["headers"]["Authorization"] == "Bearer s3"


def test_it_drops_credentials_when_a_redirect_changes_origin(server, settings, fake_dns):
    fake_dns.table["other.test"] = ["127.0.0.1"]
    with HttpClient(allowed_hosts=["127.0.0.1", "other.test"]) as c:
        response = c.get(server.url("/to-other-origin"), headers={"Authorization": "Bearer s3"})
    headers = response.json()["headers"]
    assert headers["Host"] == f"other.test:{server.server_port}"
    assert "Authorization" not in headers


def test_a_303_after_a_post_becomes_a_get(server, client):
    response = client.post(server.url("/post-then-get"), data={"a": "1"})
    assert response.json()["method"] == "GET"


def test_it_refuses_a_declared_50mb_body_without_reading_it(server, client):
    with pytest.raises(TooLarge) as exc:
        client.get(server.url("/big-declared"))
    assert exc.value.received == 0  # refused on the header: not a byte of the body read
    assert str(exc.value).endswith("is 50.0 MB, over the 10.0 MB limit.")


def test_it_stops_reading_an_undeclared_50mb_body_at_the_cap(server, client):
    with pytest.raises(TooLarge) as exc:
        client.get(server.url("/big-streamed"))
    assert DEFAULT_MAX_BYTES < exc.value.received <= DEFAULT_MAX_BYTES + 2 * CHUNK
    assert "sent more than the 10.0 MB limit; stopped reading" in str(exc.value)
    assert server.streaming_done.wait(5)
    assert server.bytes_sent < FIFTY_MB  # the server was cut off, not drained


def test_the_cap_applies_to_the_decompressed_body(server, client):
    with pytest.raises(TooLarge):
        client.get(server.url("/gzip-bomb"))


def test_a_smaller_cap_can_be_asked_for(server, client):
    with pytest.raises(TooLarge):
        client.get(server.url("/ok"), max_bytes=3)


def test_a_slow_response_times_out(server, settings):
    settings.SOCIALHUB_HTTP_ALLOWED_HOSTS = ["127.0.0.1"]
    with HttpClient(read_timeout=0.3) as c, pytest.raises(Timeout) as exc:
        c.get(server.url("/slow"))
    assert str(exc.value) == f"Timed out waiting for an answer from {server.url('/slow')}."


def test_a_trickling_response_hits_the_total_deadline(server, settings):
    settings.SOCIALHUB_HTTP_ALLOWED_HOSTS = ["127.0.0.1"]
    with HttpClient(read_timeout=2, total_timeout=0.4) as c, pytest.raises(Timeout) as exc:
        c.get(server.url("/trickle"))
    assert "longer than 0.4 s" in str(exc.value)


def test_a_conditional_get_gives_304(server, client):
    first = client.get(server.url("/feed"))
    assert first.status_code == 200 and first.headers["etag"] == '"v1"'
    second = client.get(
        server.url("/feed"),
        headers={"If-None-Match": first.headers["etag"], "If-Modified-Since": "x"},
    )
    assert second.status_code == 304
    assert second.not_modified
    assert second.content == b""


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (404, "answered 404 Not Found."),
        (500, "answered 500 Internal Server Error."),
        (429, "answered 429 Too Many Requests; retry after 120 s."),
    ],
)
def test_error_statuses_are_typed(server, client, status, message):
    with pytest.raises(HTTPStatusError) as exc:
        client.get(server.url(f"/status/{status}"))
    assert exc.value.status_code == status
    assert str(exc.value) == f"{server.url(f'/status/{status}')} {message}"
    assert exc.value.retry_after == (120 if status == 429 else None)


def test_an_error_page_is_not_read_past_its_start(server, client):
    with pytest.raises(HTTPStatusError) as exc:
        client.get(server.url("/big-error"))
    assert exc.value.status_code == 500
    assert str(exc.value) == f"{server.url('/big-error')} answered 500 Internal Server Error."


def test_a_refused_connection_is_a_connection_failure(settings):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with HttpClient(allowed_hosts=["127.0.0.1"]) as c, pytest.raises(ConnectionFailed) as exc:
        c.get(f"http://127.0.0.1:{port}/")
    assert str(exc.value).startswith(f"Could not fetch http://127.0.0.1:{port}/")


# --- TLS: the name is verified while the socket goes to the vetted address ---------------------


def self_signed(hostname):
    """A certificate for ``hostname`` signed by itself, and its key, as PEM."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hostname)])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(hostname)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return cert.public_bytes(serialization.Encoding.PEM), key_pem


@pytest.fixture
def tls_server(tmp_path):
    """The local server behind TLS with a certificate for ``tls.test``; records SNI names."""
    cert_pem, key_pem = self_signed("tls.test")
    (tmp_path / "cert.pem").write_bytes(cert_pem)
    (tmp_path / "key.pem").write_bytes(key_pem)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    srv = LocalServer()
    srv.sni = []
    context.sni_callback = lambda sock, name, ctx: srv.sni.append(name)
    srv.socket = context.wrap_socket(srv.socket, server_side=True)
    thread = threading.Thread(target=srv.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    srv.ca = ssl.create_default_context(cadata=cert_pem.decode())
    yield srv
    srv.stop.set()
    srv.shutdown()
    srv.server_close()
    thread.join(5)


def test_tls_uses_the_host_name_while_connecting_to_the_vetted_address(tls_server, fake_dns):
    fake_dns.table["tls.test"] = ["127.0.0.1"]
    port = tls_server.server_port
    with HttpClient(allowed_hosts=["tls.test"], verify=tls_server.ca) as c:
        response = c.get(f"https://tls.test:{port}/echo")
    assert response.json()["headers"]["Host"] == f"tls.test:{port}"
    assert tls_server.sni == ["tls.test"]
    assert fake_dns.asked.count("tls.test") == 1


def test_tls_refuses_a_certificate_for_another_name(tls_server, fake_dns):
    fake_dns.table["other.test"] = ["127.0.0.1"]
    port = tls_server.server_port
    with (
        HttpClient(allowed_hosts=["other.test"], verify=tls_server.ca) as c,
        pytest.raises(ConnectionFailed) as exc,
    ):
        c.get(f"https://other.test:{port}/echo")
    assert "CERTIFICATE_VERIFY_FAILED" in str(exc.value)
    assert tls_server.seen == []


# --- small parts ------------------------------------------------------------------------------


def test_truncated_json_is_an_invalid_response():
    response = FetchResponse(
        url="https://api.example/x",
        status_code=200,
        headers=httpx.Headers({"content-type": "application/json"}),
        content=b'{"posts": [{"uri": "at://x"',
    )
    with pytest.raises(InvalidResponse) as exc:
        response.json()
    assert str(exc.value).startswith(
        "The response from https://api.example/x is not valid JSON (application/json, 27 bytes)"
    )


def test_an_unknown_charset_falls_back_to_utf8():
    response = FetchResponse(
        url="https://x.example/",
        status_code=200,
        headers=httpx.Headers({"content-type": "text/plain; charset=x-klingon"}),
        content="Grüße".encode(),
    )
    assert response.encoding is None
    assert response.text == "Grüße"


def test_redact_hides_credentials_in_urls():
    assert redact("https://user:pw@example.com/feed?x=1") == "https://example.com/feed?x=1"
    assert redact("https://example.com/") == "https://example.com/"
