"""The one outbound HTTP client of SocialHub: every fetch of a feed or a platform API uses it.

It is a thin layer on httpx that adds what a server fetching user-given addresses needs:

- **SSRF guard.** Only ``http``/``https``. A host is resolved once, every address it resolves to
  is checked (loopback, private, link-local, multicast, reserved, unspecified, shared/CGNAT,
  cloud metadata …) and the socket is then opened to that vetted address, so a DNS answer that
  changes between the check and the connect (DNS rebinding) cannot slip through. TLS SNI,
  certificate checks and the ``Host`` header still use the name. Every redirect hop is checked
  again. Hosts named in the ``SOCIALHUB_HTTP_ALLOWED_HOSTS`` setting skip the address check.
- **Limits.** Connect/read timeouts plus a deadline for the whole exchange, a body size cap
  (streamed; reading stops as soon as the cap is passed), at most 5 redirects (followed here,
  not by httpx, so each hop is checked and credentials never leak to another origin).
- **Typed errors** (:class:`FetchError` and subclasses) whose ``str()`` is a sentence for a
  person: they are stored on the Source's health as they are.

Proxies from the environment are ignored on purpose: a proxy would resolve and connect for us,
out of reach of the guard.
"""

from __future__ import annotations

import base64
import codecs
import ipaddress
import json as jsonlib
import re
import socket
import ssl
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpcore
import httpx

USER_AGENT = "SocialHubBot/1.0 (+https://github.com/socialhub)"
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_REDIRECTS = 5
DEFAULT_CONNECT_TIMEOUT = 5.0
DEFAULT_READ_TIMEOUT = 15.0
# Read timeouts are per chunk; this bounds a server that trickles a byte at a time.
DEFAULT_TOTAL_TIMEOUT = 60.0
ERROR_BODY_BYTES = 64 * 1024

ALLOWED_SCHEMES = ("http", "https")
REDIRECT_STATUSES = (301, 302, 303, 307, 308)

_Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# Instance metadata services. Most sit in ranges refused anyway (link-local, ULA, CGNAT); they
# are listed so the message names them, and because some (Azure's wireserver) are public.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",  # AWS, GCP, Azure, OpenStack, DigitalOcean …
        "169.254.170.2",  # AWS ECS task metadata
        "169.254.169.253",  # AWS DNS resolver
        "fd00:ec2::254",  # AWS IMDS over IPv6
        "100.100.100.200",  # Alibaba Cloud
        "168.63.129.16",  # Azure wireserver
        "192.0.0.192",  # Oracle Cloud
    )
)
SHARED_ADDRESS_SPACE = ipaddress.ip_network("100.64.0.0/10")
NAT64_PREFIX = ipaddress.ip_network("64:ff9b::/96")
_LEGACY_IPV4 = re.compile(r"^[0-9a-fx.]+$", re.IGNORECASE)


# --- errors -----------------------------------------------------------------------------------


class FetchError(Exception):
    """A fetch that did not give a usable response; ``str()`` is a sentence for a person."""

    def __init__(self, message: str, *, url: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.url = url

    def __str__(self) -> str:
        return self.message


class InvalidURL(FetchError):
    """Not an http(s) address, or not an address at all."""


class BlockedAddress(FetchError):
    """The host is, or resolves to, an address SocialHub must not fetch from."""


class ConnectionFailed(FetchError):
    """DNS failed, the connection was refused or reset, or TLS failed."""


class Timeout(FetchError):
    """Connecting, reading or the whole exchange took too long."""


class TooLarge(FetchError):
    """The body is bigger than the cap. ``received`` is what was read before giving up."""

    def __init__(self, message: str, *, url: str = "", limit: int = 0, received: int = 0) -> None:
        super().__init__(message, url=url)
        self.limit = limit
        self.received = received


class TooManyRedirects(FetchError):
    """More redirects than allowed (or a redirect without a Location)."""


class HTTPStatusError(FetchError):
    """The server answered 4xx/5xx. ``retry_after`` is in seconds when the server said;
    ``error_name`` is the ``error`` field of a JSON error body (e.g. the XRPC error name
    "RecordNotFound"), or ""."""

    def __init__(
        self,
        message: str,
        *,
        url: str = "",
        status_code: int,
        retry_after: int | None = None,
        error_name: str = "",
    ) -> None:
        super().__init__(message, url=url)
        self.status_code = status_code
        self.retry_after = retry_after
        self.error_name = error_name


class InvalidResponse(FetchError):
    """The body is not what was expected (e.g. truncated or non-JSON)."""


# --- address checks ---------------------------------------------------------------------------


def blocked_reason(address: _Address) -> str | None:
    """Why an address must not be fetched from (e.g. "a loopback address"), or None if public."""
    if isinstance(address, ipaddress.IPv6Address):
        # Addresses that carry an IPv4 address are judged by the IPv4 address.
        if address.ipv4_mapped is not None:
            return blocked_reason(address.ipv4_mapped)
        if address in NAT64_PREFIX:
            return blocked_reason(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
        if address.sixtofour is not None and blocked_reason(address.sixtofour):
            return blocked_reason(address.sixtofour)
    if address in METADATA_ADDRESSES:
        return "a cloud metadata address"
    if address.is_unspecified:
        return "an unspecified address"
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_multicast:
        return "a multicast address"
    if address.is_reserved:
        return "a reserved address"
    if address.is_private:
        return "a private address"
    if address in SHARED_ADDRESS_SPACE:
        return "a shared (carrier-grade NAT) address"
    if not address.is_global:
        return "an address that is not publicly routable"
    return None


def parse_ip_literal(host: str) -> _Address | None:
    """The address a host name spells, in any spelling the C resolver accepts, else None.

    Besides dotted quads this catches ``2130706433``, ``0x7f000001``, ``0177.0.0.1`` and
    ``127.1``, which ``getaddrinfo`` would quietly turn into 127.0.0.1.
    """
    host = host.strip("[]").split("%", 1)[0]
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if _LEGACY_IPV4.match(host) and any(c.isdigit() for c in host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def _normalize_host(host: str) -> str:
    return host.strip("[]").rstrip(".").lower()


def resolve(host: str, port: int) -> list[_Address]:
    """Every address ``host`` resolves to (an IP literal resolves to itself, without DNS)."""
    literal = parse_ip_literal(host)
    if literal is not None:
        return [literal]
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise ConnectionFailed(f"Could not resolve the host {host} ({exc}).") from exc
    addresses: list[_Address] = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise ConnectionFailed(f"The host {host} has no address.")
    return addresses


def vetted_addresses(host: str, port: int, allowed_hosts: Iterable[str] = ()) -> list[_Address]:
    """Resolve ``host`` once and refuse it unless every address is public (or it is allowed).

    All addresses are checked, not just the first: a name answering with one public and one
    private address is an attack, not a misconfiguration.
    """
    addresses = resolve(host, port)
    if _normalize_host(host) in {_normalize_host(h) for h in allowed_hosts}:
        return addresses
    for address in addresses:
        reason = blocked_reason(address)
        if reason:
            shown = host if str(address) == host else f"{host} ({address})"
            raise BlockedAddress(f"Refused to fetch from {shown}: it is {reason}.")
    return addresses


def check_url(url: str, allowed_hosts: Iterable[str] = ()) -> None:
    """Refuse, without any DNS lookup, what can be refused from the address alone."""
    try:
        parts = urlsplit(url)
        hostname = parts.hostname
    except ValueError as exc:
        raise InvalidURL(f"{redact(url)} is not a valid address ({exc}).", url=url) from exc
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        shown = f"{scheme}://" if scheme else "an address without a scheme"
        raise InvalidURL(
            f"Only http and https addresses can be fetched, not {shown} ({redact(url)}).", url=url
        )
    if not hostname:
        raise InvalidURL(f"{redact(url)} has no host name.", url=url)
    if _normalize_host(hostname) in {_normalize_host(h) for h in allowed_hosts}:
        return
    literal = parse_ip_literal(hostname)
    if literal is not None:
        reason = blocked_reason(literal)
        if reason:
            shown = hostname if str(literal) == hostname else f"{hostname} ({literal})"
            raise BlockedAddress(f"Refused to fetch from {shown}: it is {reason}.", url=url)


def redact(url: str) -> str:
    """The URL without user:password, for messages and logs."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


# --- transport --------------------------------------------------------------------------------


class GuardedBackend(httpcore.SyncBackend):
    """Opens TCP connections only to vetted addresses, resolving each host exactly once.

    httpcore asks for ``(host, port)`` and then does TLS with ``server_hostname=host`` itself, so
    connecting to the IP here keeps SNI and certificate checks on the name.
    """

    def __init__(self, allowed_hosts: Iterable[str] = ()) -> None:
        self.allowed_hosts = tuple(allowed_hosts)

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        last_error: Exception | None = None
        for address in vetted_addresses(host, port, self.allowed_hosts):
            try:
                return super().connect_tcp(
                    str(address), port, timeout, local_address, socket_options
                )
            except httpcore.ConnectError as exc:
                last_error = exc
        assert last_error is not None
        raise last_error


class GuardedTransport(httpx.HTTPTransport):
    """httpx's transport with its connection pool on a :class:`GuardedBackend`.

    ``verify`` is httpx's: True (certifi's CA bundle), a CA file path or an ``SSLContext``.
    """

    def __init__(
        self,
        *,
        allowed_hosts: Iterable[str] = (),
        verify: ssl.SSLContext | str | bool = True,
        max_connections: int = 10,
    ) -> None:
        ssl_context = httpx.create_ssl_context(verify=verify, trust_env=False)
        super().__init__(verify=ssl_context, trust_env=False, retries=0)
        # httpx builds its pool without a way to pass a network backend; replace it (pinned
        # httpx, and the SSRF tests fail loudly if this stops taking effect).
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context,
            max_connections=max_connections,
            max_keepalive_connections=max_connections,
            keepalive_expiry=5.0,
            http1=True,
            http2=False,
            retries=0,
            network_backend=GuardedBackend(allowed_hosts),
        )


# --- client -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FetchResponse:
    """A complete response: status, headers and the (decompressed, size-capped) body."""

    url: str
    status_code: int
    headers: httpx.Headers
    content: bytes
    redirects: tuple[str, ...] = field(default=())

    @property
    def not_modified(self) -> bool:
        return self.status_code == 304

    @property
    def encoding(self) -> str | None:
        """The charset the Content-Type header names, if Python knows it."""
        match = re.search(r"charset=[\"']?([\w.:-]+)", self.headers.get("content-type", ""), re.I)
        if not match:
            return None
        try:
            return codecs.lookup(match.group(1)).name
        except LookupError:
            return None

    @property
    def text(self) -> str:
        return self.content.decode(self.encoding or "utf-8", errors="replace")

    def json(self) -> Any:
        """The body as JSON; a truncated or non-JSON body is an :class:`InvalidResponse`."""
        try:
            return jsonlib.loads(self.content)
        except (ValueError, UnicodeDecodeError) as exc:
            kind = self.headers.get("content-type", "unknown type").split(";")[0]
            raise InvalidResponse(
                f"The response from {redact(self.url)} is not valid JSON ({kind}, "
                f"{len(self.content)} bytes): {exc}.",
                url=self.url,
            ) from exc


def basic_auth_header(username: str, password: str) -> str:
    """An ``Authorization`` value for HTTP Basic auth."""
    token = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
    return f"Basic {token}"


def allowed_hosts_setting() -> list[str]:
    """Hosts exempt from the address check (``SOCIALHUB_HTTP_ALLOWED_HOSTS``), e.g. in tests."""
    from django.conf import settings

    return list(getattr(settings, "SOCIALHUB_HTTP_ALLOWED_HOSTS", []) or [])


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return (url.scheme, url.host, url.port)


_TIMEOUTS = {
    httpx.ConnectTimeout: "connecting to",
    httpx.ReadTimeout: "waiting for an answer from",
    httpx.WriteTimeout: "sending the request to",
    httpx.PoolTimeout: "waiting for a free connection to",
}


def _error_body(content: bytes) -> dict:
    """An API's JSON error body, or {} when the body is not a JSON object."""
    try:
        body = jsonlib.loads(content)
    except (ValueError, UnicodeDecodeError):
        return {}
    return body if isinstance(body, dict) else {}


def _error_reason(body: dict) -> str:
    """A short reason from an API's JSON error body ({"error": …}, {"message": …}), or ""."""
    for key in ("error_description", "message", "error", "reason"):
        if isinstance(body.get(key), str) and body[key].strip():
            return " ".join(body[key].split())[:200]
    return ""


def _retry_after(value: str | None) -> int | None:
    if value and value.strip().isdigit():
        return int(value.strip())
    return None


class HttpClient:
    """Fetches with the guard and the limits. One per task run; close it (or use ``with``).

    ``allowed_hosts`` defaults to the ``SOCIALHUB_HTTP_ALLOWED_HOSTS`` setting. ``verify`` is
    for a private CA (tests use it for a local TLS server). ``transport`` is for tests (e.g.
    ``httpx.MockTransport``): it replaces the guarded transport, so only the checks made from
    the address alone (scheme, IP literals) still run.
    """

    def __init__(
        self,
        *,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        read_timeout: float = DEFAULT_READ_TIMEOUT,
        total_timeout: float = DEFAULT_TOTAL_TIMEOUT,
        max_bytes: int = DEFAULT_MAX_BYTES,
        max_redirects: int = DEFAULT_MAX_REDIRECTS,
        user_agent: str = USER_AGENT,
        allowed_hosts: Iterable[str] | None = None,
        verify: ssl.SSLContext | str | bool = True,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.allowed_hosts = tuple(
            allowed_hosts_setting() if allowed_hosts is None else allowed_hosts
        )
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.total_timeout = total_timeout
        self._client = httpx.Client(
            transport=transport
            or GuardedTransport(allowed_hosts=self.allowed_hosts, verify=verify),
            timeout=httpx.Timeout(
                connect=connect_timeout, read=read_timeout, write=read_timeout, pool=connect_timeout
            ),
            headers={"User-Agent": user_agent},
            follow_redirects=False,
            trust_env=False,
        )

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def get(
        self,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        max_bytes: int | None = None,
    ) -> FetchResponse:
        return self.request("GET", url, params=params, headers=headers, max_bytes=max_bytes)

    def post(
        self,
        url: str,
        *,
        data: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        max_bytes: int | None = None,
    ) -> FetchResponse:
        """POST a form (``data``) or a JSON body (``json``)."""
        return self.request("POST", url, data=data, json=json, headers=headers, max_bytes=max_bytes)

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        data: Mapping[str, Any] | None = None,
        json: Any = None,
        max_bytes: int | None = None,
    ) -> FetchResponse:
        """Send, following up to ``max_redirects`` checked redirects; 2xx and 304 return.

        4xx/5xx raise :class:`HTTPStatusError`; every other failure is a :class:`FetchError`.
        """
        limit = self.max_bytes if max_bytes is None else max_bytes
        deadline = time.monotonic() + self.total_timeout
        request_headers = dict(headers or {})
        redirects: list[str] = []
        check_url(url, self.allowed_hosts)
        request = self._build(
            method, url, params=params, headers=request_headers, data=data, json=json
        )

        while True:
            if time.monotonic() > deadline:
                raise Timeout(
                    f"Timed out fetching {redact(url)}: gave up after {self.total_timeout:g} s.",
                    url=url,
                )
            response = self._send(request, url)
            try:
                if response.status_code in REDIRECT_STATUSES:
                    request = self._next_hop(request, response, len(redirects))
                    redirects.append(str(request.url))
                    continue
                if response.status_code >= 400:
                    # Only the start of an error page is read: enough for an API's reason.
                    content = self._read(response, min(limit, ERROR_BODY_BYTES), deadline, cut=True)
                else:
                    content = self._read(response, limit, deadline)
            finally:
                response.close()
            break

        final_url = str(request.url)
        if response.status_code >= 400:
            phrase = httpx.codes.get_reason_phrase(response.status_code)
            retry_after = _retry_after(response.headers.get("retry-after"))
            message = f"{redact(final_url)} answered {response.status_code} {phrase}".rstrip()
            body = _error_body(content)
            reason = _error_reason(body)
            if reason and reason.lower() != phrase.lower():
                message += f" ({reason})"
            if retry_after is not None:
                message += f"; retry after {retry_after} s"
            raise HTTPStatusError(
                message + ".",
                url=final_url,
                status_code=response.status_code,
                retry_after=retry_after,
                error_name=body["error"] if isinstance(body.get("error"), str) else "",
            )
        return FetchResponse(
            url=final_url,
            status_code=response.status_code,
            headers=response.headers,
            content=content,
            redirects=tuple(redirects),
        )

    def _build(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        data: Mapping[str, Any] | None = None,
        json: Any = None,
    ) -> httpx.Request:
        try:
            return self._client.build_request(
                method, url, params=params, headers=headers, data=data, json=json
            )
        except (httpx.InvalidURL, httpx.UnsupportedProtocol, ValueError) as exc:
            raise InvalidURL(f"{redact(url)} is not a valid address ({exc}).", url=url) from exc

    def _send(self, request: httpx.Request, url: str) -> httpx.Response:
        shown = redact(str(request.url))
        try:
            return self._client.send(request, stream=True)
        except httpx.TimeoutException as exc:
            what = _TIMEOUTS.get(type(exc), "fetching")
            raise Timeout(f"Timed out {what} {shown}.", url=url) from exc
        except httpx.UnsupportedProtocol as exc:
            raise InvalidURL(f"Cannot fetch {shown}: {exc}.", url=url) from exc
        except httpx.TransportError as exc:
            raise ConnectionFailed(
                f"Could not fetch {shown}: {exc or type(exc).__name__}.", url=url
            ) from exc

    def _next_hop(
        self, request: httpx.Request, response: httpx.Response, hops: int
    ) -> httpx.Request:
        shown = redact(str(request.url))
        if hops >= self.max_redirects:
            raise TooManyRedirects(
                f"{shown} redirected more than {self.max_redirects} times.", url=str(request.url)
            )
        location = response.headers.get("location")
        if not location:
            raise TooManyRedirects(
                f"{shown} answered {response.status_code} without a Location.",
                url=str(request.url),
            )
        try:
            target = request.url.join(location)
        except (httpx.InvalidURL, ValueError) as exc:
            raise InvalidURL(
                f"{shown} redirected to an invalid address ({exc}).", url=str(request.url)
            ) from exc
        check_url(str(target), self.allowed_hosts)

        method, body = request.method, request.content
        headers = httpx.Headers(request.headers)
        if response.status_code == 303 or (response.status_code in (301, 302) and method == "POST"):
            method, body = ("HEAD" if method == "HEAD" else "GET"), b""
            for name in ("content-length", "content-type", "transfer-encoding"):
                headers.pop(name, None)
        if _origin(target) != _origin(request.url):
            # Never hand credentials meant for one origin to another.
            for name in ("authorization", "cookie", "proxy-authorization"):
                headers.pop(name, None)
        headers.pop("host", None)
        return httpx.Request(method, target, headers=headers, content=body or None)

    def _read(
        self, response: httpx.Response, limit: int, deadline: float, *, cut: bool = False
    ) -> bytes:
        """The body, decompressed, refusing more than ``limit`` bytes (or, with ``cut``,
        keeping the first ``limit`` bytes and dropping the rest unread)."""
        url = str(response.request.url)
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit and not cut:
            raise TooLarge(
                f"{redact(url)} is {_size(int(declared))}, over the {_size(limit)} limit.",
                url=url,
                limit=limit,
                received=0,
            )
        chunks: list[bytes] = []
        received = 0
        try:
            for chunk in response.iter_bytes():
                received += len(chunk)
                if received > limit and cut:
                    chunks.append(chunk[: limit - (received - len(chunk))])
                    break
                if received > limit:
                    raise TooLarge(
                        f"{redact(url)} sent more than the {_size(limit)} limit; stopped reading.",
                        url=url,
                        limit=limit,
                        received=received,
                    )
                if time.monotonic() > deadline:
                    raise Timeout(
                        f"Timed out fetching {redact(url)}: the whole response took longer "
                        f"than {self.total_timeout:g} s.",
                        url=url,
                    )
                chunks.append(chunk)
        except httpx.TimeoutException as exc:
            raise Timeout(f"Timed out reading {redact(url)}.", url=url) from exc
        except httpx.DecodingError as exc:
            raise InvalidResponse(
                f"Could not decode the body of {redact(url)}: {exc}.", url=url
            ) from exc
        except httpx.TransportError as exc:
            raise ConnectionFailed(
                f"The connection to {redact(url)} broke: {exc}.", url=url
            ) from exc
        return b"".join(chunks)


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n} bytes"
