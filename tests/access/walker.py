"""The access suite's walker: every route of a URLconf, classified and checked.

``walk()`` reads the URL resolver (never a hand-made list), so a new page or endpoint
is checked the moment it is routed:

- a route with a ``brand_slug`` must be served by a subclass of ``BrandViewMixin`` (pages)
  or ``BrandViewSet`` (API);
- a route with an ``agency_slug`` must be served by a subclass of ``AgencyAdminMixin``;
- any other route must be on the allowlist in ``tests/access/registry.py``, with a reason.

``check_brand_route()`` and ``check_agency_route()`` then send real requests as every
person of the ``world`` fixture and compare the answers with ``access.can()``. Every
check returns a list of problems (sentences); the tests assert the list is empty.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Model
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from socialhub import access
from tests.access.registry import ALLOWLIST, FACTORIES, PK_MODELS

BRAND, AGENCY, OTHER = "brand", "agency", "other"
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


@dataclass(frozen=True)
class Route:
    """One URL pattern with its full route and the view that serves it."""

    route: str  # e.g. "b/<slug:brand_slug>/members/<int:pk>/"
    regex: str  # the full regular expression Django matches
    name: str | None  # e.g. "socialhub:brandmembership_update"; None if unnamed
    namespace: str  # e.g. "admin"; "" outside any namespace
    callback: Any = field(compare=False)
    kwargs: frozenset[str] = frozenset()

    @property
    def label(self) -> str:
        return self.name or f"{self.namespace}:<unnamed> /{self.route}"

    @property
    def view_class(self) -> type | None:
        """The class behind the callback: ``view_class`` (Django), ``cls`` (DRF)."""
        return getattr(self.callback, "view_class", None) or getattr(self.callback, "cls", None)

    @property
    def actions(self) -> dict[str, str] | None:
        """A DRF viewset route's method → action map."""
        return getattr(self.callback, "actions", None)

    @property
    def kind(self) -> str:
        if "brand_slug" in self.kwargs:
            return BRAND
        if "agency_slug" in self.kwargs:
            return AGENCY
        return OTHER

    @property
    def model(self) -> type[Model] | None:
        """The model whose primary key the route's other kwarg names."""
        cls = self.view_class
        queryset = getattr(cls, "queryset", None)
        model = getattr(cls, "model", None) or getattr(queryset, "model", None)
        return PK_MODELS.get(self.name or "", model)

    @property
    def methods(self) -> tuple[str, ...]:
        """The HTTP methods the view answers (besides HEAD/OPTIONS)."""
        if self.actions is not None:
            return tuple(m for m in METHODS if m.lower() in self.actions)
        cls = self.view_class
        if cls is None:
            return ("GET", "POST")  # a function view: try both
        allowed = getattr(cls, "http_method_names", [])
        return tuple(m for m in METHODS if m.lower() in allowed and hasattr(cls, m.lower()))

    def capability_for(self, method: str) -> str | None:
        cls = self.view_class
        if self.actions is not None:
            return cls.capability_for(method, self.actions)
        return cls.capability_for(method)

    def url(self, urlconf: str | None, **kwargs: Any) -> str:
        return reverse(self.name, kwargs=kwargs, urlconf=urlconf)


# -- walking ---------------------------------------------------------------------------


def _regex_part(pattern: Any) -> str:
    regex = pattern.regex.pattern
    return regex.removeprefix("^")


def _walk(patterns: list[Any], route: str, regex: str, namespace: str | None) -> Iterator[Route]:
    for entry in patterns:
        part_route = route + str(entry.pattern)
        part_regex = regex + _regex_part(entry.pattern)
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            # An include's own pattern never ends the match.
            part_regex = part_regex.removesuffix("$").removesuffix(r"\Z")
            yield from _walk(entry.url_patterns, part_route, part_regex, ns)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if entry.name and namespace else entry.name
            yield Route(
                route=part_route,
                regex="^" + part_regex,
                name=name,
                namespace=namespace or "",
                callback=entry.callback,
                kwargs=frozenset(re.compile("^" + part_regex).groupindex),
            )


def walk(urlconf: str | None = None) -> list[Route]:
    """Every route of ``urlconf`` (the project's by default), includes followed."""
    return list(_walk(get_resolver(urlconf).url_patterns, "", "", None))


def allowlist_entry(route: Route) -> str | None:
    """The allowlist key that covers ``route``, if any (names and namespaces, as globs)."""
    keys = [route.name or f"{route.namespace}:", f"/{route.route}"]
    for pattern in ALLOWLIST:
        if any(fnmatchcase(key, pattern) for key in keys if key):
            return pattern
    return None


# -- the class check -------------------------------------------------------------------


def check_classes(routes: list[Route]) -> list[str]:
    """Problems with which class serves which route (scoped, or allowlisted)."""
    problems: list[str] = []
    for route in routes:
        cls = route.view_class
        where = f"{route.label} (/{route.route})"
        if route.kind == BRAND:
            bases = (access.BrandViewMixin, access.BrandViewSet)
            if cls is None or not issubclass(cls, bases):
                served = cls.__name__ if cls else getattr(route.callback, "__name__", "?")
                problems.append(
                    f"{where} has a brand_slug but {served} is not a BrandViewMixin or "
                    "BrandViewSet: nothing checks that the user holds the brand."
                )
            elif not route.name:
                problems.append(f"{where} is a brand route without a name; name it.")
            else:
                for method in route.methods:
                    if route.actions is not None and route.capability_for(method) is None:
                        problems.append(
                            f"{where}: {method} maps to action "
                            f"{route.actions[method.lower()]!r}, which has no capability."
                        )
        elif route.kind == AGENCY:
            bases = (access.AgencyAdminMixin, access.AgencyDirectoryMixin)
            if cls is None or not issubclass(cls, bases):
                served = cls.__name__ if cls else getattr(route.callback, "__name__", "?")
                problems.append(
                    f"{where} has an agency_slug but {served} is not an AgencyAdminMixin "
                    "or AgencyDirectoryMixin: nothing checks who may use the agency."
                )
            elif not route.name:
                problems.append(f"{where} is an agency route without a name; name it.")
        elif allowlist_entry(route) is None:
            problems.append(
                f"{where} is neither brand- nor agency-scoped and not on the allowlist in "
                "tests/access/registry.py: scope it, or allowlist it with a reason."
            )
    return problems


def stale_allowlist_entries(routes: list[Route]) -> list[str]:
    """Allowlist entries that no longer match any route."""
    used = {allowlist_entry(route) for route in routes if route.kind == OTHER}
    return [pattern for pattern in ALLOWLIST if pattern not in used]


# -- the HTTP checks -------------------------------------------------------------------


@dataclass
class Person:
    """Someone who sends requests: a name for the report, and the user (None: anonymous)."""

    label: str
    user: Any


def people(world) -> list[Person]:
    """Each role of ``world.brand``, the outsider, the other agency's admin, anonymous."""
    return [
        *(Person(role, world.users[role]) for role in access.ROLES),
        Person("outsider", world.outsider),
        Person("foreign_admin", world.foreign_admin),
        Person("anonymous", None),
    ]


def _client(person: Person) -> Client:
    # Errors come back as 500 responses (reported) instead of stopping the walk.
    client = Client(raise_request_exception=False)
    if person.user is not None:
        client.force_login(person.user)
    return client


def _send(client: Client, method: str, route: Route, urlconf, kwargs, obj_brand=None):
    """One request with an empty body, for an object of ``obj_brand`` if the route takes
    a pk. Rolled back (object included) so the requests do not affect each other."""
    with transaction.atomic():
        if obj_brand is not None:
            kwargs = {**kwargs, "pk": _make(route.model, obj_brand, route).pk}
        url = route.url(urlconf, **kwargs)
        if method == "GET":
            response = client.get(url)
        elif url.startswith("/api/"):
            response = client.generic(method, url, "{}", content_type="application/json")
        elif method == "POST":
            response = client.post(url, {})
        else:
            response = client.generic(method, url)
        transaction.set_rollback(True)
    return url, response


class MissingFactory(LookupError):
    pass


def _make(model: type[Model] | None, brand, route: Route) -> Model:
    """An object of ``model`` belonging to ``brand``, from the registry."""
    factory = FACTORIES.get(model)
    if factory is None:
        raise MissingFactory(
            f"{route.label} takes a pk of {model.__name__ if model else 'an unknown model'}, "
            "which has no factory in tests/access/registry.py FACTORIES (or PK_MODELS): "
            "register one so the access suite can test this route."
        )
    return factory(brand)


def _object_kwargs(route: Route) -> set[str]:
    return set(route.kwargs) - {"brand_slug", "agency_slug", "format"}


def _describe(response) -> str:
    status = response.status_code
    if status >= 500 and getattr(response, "exc_info", None):
        exc = response.exc_info[1]
        return f"{status} ({type(exc).__name__}: {exc})"
    if status in (301, 302):
        return f"{status} → {response['Location']}"
    return str(status)


def _expect_anonymous(response) -> bool:
    """Anonymous visitors are sent to sign in (pages) or refused (API), never let in."""
    if response.status_code in (401, 403):
        return True
    login = resolve_url(settings.LOGIN_URL)
    return response.status_code == 302 and response["Location"].startswith(f"{login}?next=")


@dataclass
class Report:
    """What the HTTP checks of one route sent, and what went wrong."""

    route: Route
    requests: int = 0
    problems: list[str] = field(default_factory=list)
    log: list[str] = field(default_factory=list)  # every request: who, what, answer

    def expect(self, ok: bool, person: Person, method: str, url: str, want: str, response):
        self.requests += 1
        self.log.append(f"{person.label:>13} {method:<6} {url} → {_describe(response)}")
        if not ok:
            self.problems.append(
                f"{self.route.label}: {method} {url} as {person.label} answered "
                f"{_describe(response)}, expected {want}."
            )


def check_brand_route(route: Route, world, urlconf: str | None = None) -> Report:
    """Send every method the route answers, as every person, to a brand they hold, to a
    brand of the same agency, and to another agency's brand; compare with access.can().
    With a pk, also ask a brand's URL for an object of another brand: never found."""
    report = Report(route)
    extra = _object_kwargs(route)
    if extra - {"pk"}:
        report.problems.append(
            f"{route.label}: the access suite does not know how to fill {sorted(extra)}."
        )
        return report
    takes_pk = "pk" in extra
    scoped = route.view_class is not None and issubclass(
        route.view_class, (access.BrandViewMixin, access.BrandViewSet)
    )
    brands = (world.brand, world.sibling, world.foreign_brand, world.foreign_sibling)

    def send(client, method, slug, obj_brand):
        return _send(client, method, route, urlconf, {"brand_slug": slug}, obj_brand)

    def check(person: Person, client: Client, brand, method: str) -> None:
        url, response = send(client, method, brand.slug, brand if takes_pk else None)
        status = response.status_code
        if person.user is None:
            report.expect(_expect_anonymous(response), person, method, url, "sign-in", response)
            return
        if access.role_for(person.user, brand) is None:
            # Outside the brand: 404, exactly as for a brand that does not exist.
            report.expect(status == 404, person, method, url, "404", response)
            return
        if not scoped:
            report.expect(status < 500, person, method, url, "no server error", response)
            return
        capability = route.capability_for(method)
        if capability is None:
            report.expect(status == 405, person, method, url, "405", response)
            return
        allowed = access.can(person.user, capability, brand)
        if allowed:
            ok, want = status not in (403, 404) and status < 500, f"allowed ({capability})"
        else:
            ok, want = status == 403, f"403 (no {capability})"
        report.expect(ok, person, method, url, want, response)
        if not takes_pk:
            return
        # The brand's URL with an object of a sibling brand (which an agency admin may
        # well hold) or of another agency's brand: never found. Without the capability
        # the answer is 403 first, whatever the object.
        sibling = next(b for b in brands if b != brand and b.agency_id == brand.agency_id)
        foreign = next(b for b in brands if b.agency_id != brand.agency_id)
        for other in (sibling, foreign):
            url, response = send(client, method, brand.slug, other)
            want = f"404 (object of {other.slug})" if allowed else "403"
            ok = response.status_code == (404 if allowed else 403)
            report.expect(ok, person, method, url, want, response)

    try:
        for person in people(world):
            client = _client(person)
            for method in route.methods:
                if person.label == access.ADMIN:
                    # A brand that does not exist answers as one the user may not see.
                    url, response = send(
                        client, method, "no-such-brand", world.brand if takes_pk else None
                    )
                    ok = response.status_code == 404
                    report.expect(ok, person, method, url, "404 (no such brand)", response)
                for brand in (world.brand, world.sibling, world.foreign_brand):
                    check(person, client, brand, method)
    except MissingFactory as exc:
        report.problems.append(str(exc))
    return report


def check_agency_route(route: Route, world, urlconf: str | None = None) -> Report:
    """Only those the view's mixin ``allows`` get in (the agency's admins; for the
    influencer directory, also its brands' staff); everyone else gets 404 (anonymous:
    sign in)."""
    report = Report(route)
    extra = _object_kwargs(route)
    if extra - {"pk"}:
        report.problems.append(
            f"{route.label}: the access suite does not know how to fill {sorted(extra)}."
        )
        return report
    takes_pk = "pk" in extra
    targets = ((world.agency, world.brand), (world.foreign_agency, world.foreign_brand))
    try:
        for person in people(world):
            client = _client(person)
            for agency, brand in targets:
                for method in route.methods:
                    kwargs = {"agency_slug": agency.slug}
                    url, response = _send(
                        client, method, route, urlconf, kwargs, brand if takes_pk else None
                    )
                    status = response.status_code
                    if person.user is None:
                        ok = _expect_anonymous(response)
                        report.expect(ok, person, method, url, "sign-in", response)
                        continue
                    if not route.view_class.allows(person.user, agency):
                        report.expect(status == 404, person, method, url, "404", response)
                        continue
                    if method == "GET":
                        report.expect(status < 400, person, method, url, "< 400", response)
                    else:
                        ok = status not in (403, 404) and status < 500
                        report.expect(ok, person, method, url, "allowed", response)
                    if takes_pk:
                        other = world.foreign_brand if brand == world.brand else world.brand
                        url, response = _send(client, method, route, urlconf, kwargs, other)
                        ok = response.status_code == 404
                        want = "404 (object of another agency)"
                        report.expect(ok, person, method, url, want, response)
    except MissingFactory as exc:
        report.problems.append(str(exc))
    return report
