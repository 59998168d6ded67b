"""THE ACCESS SUITE: every route the project serves, walked from the URL resolver.

Each brand route is requested by every person of ``world`` (the four roles, an outsider,
another agency's admin, anonymous) in a brand they hold, a sibling brand of the same
agency and another agency's brand, with every method it answers; the answer must be what
``access.can()`` says: allowed, 403 inside the brand, 404 outside it, never a 500.
Agency routes answer only their own admins. Anything else must be allowlisted.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from socialhub import access
from tests.access import walker
from tests.access.registry import ALLOWLIST
from tests.access.walker import AGENCY, BRAND, check_agency_route, check_brand_route

LEAKY_URLCONF = "tests.access.leaky_urls"

ROUTES = walker.walk()
BRAND_ROUTES = [route for route in ROUTES if route.kind == BRAND]
AGENCY_ROUTES = [route for route in ROUTES if route.kind == AGENCY]
PEOPLE = ("admin", "manager", "analyst", "client", "outsider", "foreign_admin", "anonymous")
BRANDS = 3  # the brand the roles hold, its sibling, another agency's brand
AGENCIES = 2  # the roles' agency, another agency

# The routes that exist today; the suite must keep finding at least these.
MIN_BRAND_ROUTES = 10
MIN_AGENCY_ROUTES = 11

TOTALS = {"brand routes": 0, "agency routes": 0, "requests": 0}


def route_id(route: walker.Route, places: int) -> str:
    methods = "/".join(route.methods)
    return f"{route.label} {methods} x{len(PEOPLE)} people x{places}"


def failure(report: walker.Report) -> str:
    return f"{len(report.problems)} access problem(s):\n" + "\n".join(report.problems)


# -- the walk --------------------------------------------------------------------------


SUMMARY = (
    f"{len(BRAND_ROUTES)} brand routes x {len(PEOPLE)} people x {BRANDS} brands, "
    f"{len(AGENCY_ROUTES)} agency routes x {len(PEOPLE)} people x {AGENCIES} agencies, "
    f"{len(ROUTES) - len(BRAND_ROUTES) - len(AGENCY_ROUTES)} allowlisted routes"
)


@pytest.mark.parametrize("summary", [SUMMARY], ids=[SUMMARY])
def test_it_covers_every_brand_and_agency_route(summary):
    print(f"access suite: {summary}")
    assert len(BRAND_ROUTES) >= MIN_BRAND_ROUTES, summary
    assert len(AGENCY_ROUTES) >= MIN_AGENCY_ROUTES, summary
    assert len(BRAND_ROUTES) + len(AGENCY_ROUTES) < len(ROUTES)


def test_it_walks_pages_and_api_routers_alike():
    by_name = {route.name: route for route in ROUTES if route.name}

    page = by_name["socialhub:brandmembership_update"]
    assert page.route == "b/<slug:brand_slug>/members/<int:pk>/"
    assert page.kwargs == {"brand_slug", "pk"}
    assert page.view_class.__name__ == "BrandMembershipUpdateView"
    assert page.methods == ("GET", "POST", "PUT")

    endpoint = by_name["api:brand-membership-detail"]
    assert endpoint.kwargs == {"brand_slug", "pk"}
    assert endpoint.view_class.__name__ == "BrandMembershipViewSet"
    assert endpoint.methods == ("GET", "PUT", "PATCH", "DELETE")
    assert endpoint.capability_for("DELETE") == "members.manage"
    assert endpoint.model.__name__ == "BrandMembership"

    assert by_name["api:brand-root"].methods == ("GET", "PATCH")
    assert by_name["socialhub:agency_invitation_revoke"].methods == ("POST",)
    # Every route, not a hand list: the walk reaches allauth and the admin too.
    assert {"account_login", "mfa_activate_totp", "admin:index"} <= set(by_name)


def test_every_route_is_brand_scoped_agency_scoped_or_allowlisted():
    problems = walker.check_classes(ROUTES)
    for problem in problems:
        print(problem)
    assert not problems, "\n".join(problems)


def test_every_allowlist_entry_still_matches_a_route():
    stale = walker.stale_allowlist_entries(ROUTES)
    assert not stale, f"Remove from ALLOWLIST (no route matches): {stale}"


def test_every_allowlist_entry_says_why():
    assert all(reason.strip() for reason in ALLOWLIST.values())


# -- the requests ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "route", BRAND_ROUTES, ids=[route_id(r, BRANDS) + " brands" for r in BRAND_ROUTES]
)
def test_brand_route_answers_each_person_as_their_role_allows(world, route):
    report = check_brand_route(route, world)
    TOTALS["brand routes"] += 1
    TOTALS["requests"] += report.requests
    assert not report.problems, failure(report)
    assert report.requests >= len(route.methods) * len(PEOPLE) * BRANDS


@pytest.mark.parametrize(
    "route", AGENCY_ROUTES, ids=[route_id(r, AGENCIES) + " agencies" for r in AGENCY_ROUTES]
)
def test_agency_route_answers_only_its_own_admins(world, route):
    report = check_agency_route(route, world)
    TOTALS["agency routes"] += 1
    TOTALS["requests"] += report.requests
    assert not report.problems, failure(report)
    assert report.requests >= len(route.methods) * len(PEOPLE) * AGENCIES


def test_a_foreign_brand_is_not_found_rather_than_forbidden(world):
    # The rule every brand route above follows, spelled out once for the reader.
    client = world.client_for("manager")
    for brand, status in ((world.brand, 200), (world.sibling, 404), (world.foreign_brand, 404)):
        url = reverse("socialhub:brandmembership_list", kwargs={"brand_slug": brand.slug})
        assert client.get(url).status_code == status
    missing = reverse("socialhub:brandmembership_list", kwargs={"brand_slug": "no-such-brand"})
    assert client.get(missing).status_code == 404


# -- the suite finds a hole ------------------------------------------------------------


@pytest.fixture
def leaky(settings):
    settings.ROOT_URLCONF = LEAKY_URLCONF
    routes = walker.walk(LEAKY_URLCONF)
    return {route.name: route for route in routes if route.name}, routes


def test_it_reports_a_brand_route_served_by_an_unscoped_view(leaky):
    _, routes = leaky
    problems = walker.check_classes(routes)
    assert len(problems) == 1, problems
    assert problems[0].startswith("leaky (/b/<slug:brand_slug>/leaky/) has a brand_slug")
    assert "LeakyMembershipListView is not a BrandViewMixin" in problems[0]


def test_it_reports_an_unscoped_view_answering_for_a_foreign_brand(world, leaky):
    by_name, _ = leaky
    report = check_brand_route(by_name["leaky"], world, urlconf=LEAKY_URLCONF)
    foreign = "GET /b/foreign-co/leaky/ as manager answered 200, expected 404."
    assert f"leaky: {foreign}" in report.problems
    assert "leaky: GET /b/sibling-co/leaky/ as client answered 200, expected 404." in (
        report.problems
    )
    assert "leaky: GET /b/acme-test/leaky/ as outsider answered 200, expected 404." in (
        report.problems
    )
    assert "leaky: GET /b/acme-test/leaky/ as anonymous answered 200, expected sign-in." in (
        report.problems
    )
    # Proof that the hole is real: the outsider reads the brand's members.
    client = world.client_for(world.outsider)
    members = client.get("/b/acme-test/leaky/").json()["members"]
    assert ["manager@alpha.test", "manager"] in members


def test_it_fails_loudly_for_a_pk_of_a_model_without_a_factory(world, leaky):
    by_name, _ = leaky
    report = check_brand_route(by_name["unregistered"], world, urlconf=LEAKY_URLCONF)
    assert len(report.problems) == 1
    assert "AgencyMembership, which has no factory" in report.problems[0]


def test_it_finds_nothing_wrong_with_the_real_routes_in_the_leaky_urlconf(world, leaky):
    by_name, _ = leaky
    report = check_brand_route(by_name["socialhub:brand_home"], world, urlconf=LEAKY_URLCONF)
    assert not report.problems, failure(report)
    assert access.can(world.users["client"], "brand.view", world.brand)
