"""/api/ and /api/me/, authentication, and the shape of error bodies."""

from __future__ import annotations

from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


def test_it_links_the_top_level_endpoints(api):
    response = api("analyst").get("/api/")

    assert response.status_code == 200
    assert response.json() == {
        "me": "http://testserver/api/me/",
        "agencies": "http://testserver/api/agencies/",
        "brands": "http://testserver/api/brands/",
        "schema": "http://testserver/api/schema/",
        "docs": "http://testserver/api/docs/",
    }


def test_me_lists_the_users_agencies_and_brands_with_their_role(world, api):
    body = api("analyst").get("/api/me/").json()

    assert body["email"] == "analyst@alpha.test"
    assert [(a["slug"], a["is_admin"]) for a in body["agencies"]] == [(world.agency.slug, False)]
    assert [(b["slug"], b["role"]) for b in body["brands"]] == [("acme-test", "analyst")]


def test_me_shows_an_agency_admin_every_brand_of_their_agency(world, api):
    body = api("admin").get("/api/me/").json()

    assert body["name"] == "Ada Admin"
    assert [(a["slug"], a["is_admin"]) for a in body["agencies"]] == [(world.agency.slug, True)]
    assert [(b["slug"], b["role"]) for b in body["brands"]] == [
        ("acme-test", "admin"),
        ("sibling-co", "admin"),
    ]


def test_me_shows_an_outsider_nothing(world, api):
    body = api(world.outsider).get("/api/me/").json()

    assert body["email"] == "outsider@nowhere.test"
    assert body["agencies"] == []
    assert body["brands"] == []


def test_it_authenticates_with_a_token(world):
    token = Token.objects.create(user=world.users["client"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    response = client.get("/api/me/")

    assert response.status_code == 200
    assert response.json()["email"] == "client@alpha.test"


def test_a_token_reaches_only_its_users_brands(world):
    token = Token.objects.create(user=world.users["client"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    assert client.get("/api/brands/acme-test/").status_code == 200
    assert client.get("/api/brands/foreign-co/").status_code == 404


def test_it_rejects_an_unknown_token(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")

    response = client.get("/api/me/")

    assert response.status_code in (401, 403)
    assert response.json() == {"detail": "Invalid token."}


def test_it_asks_anonymous_callers_to_authenticate(world):
    client = APIClient()
    for url in (
        "/api/",
        "/api/me/",
        "/api/agencies/",
        "/api/brands/",
        "/api/brands/acme-test/",
        "/api/brands/acme-test/memberships/",
    ):
        response = client.get(url)

        assert response.status_code in (401, 403), url
        assert response["Content-Type"] == "application/json", url
        assert response.json() == {"detail": "Authentication credentials were not provided."}


def test_an_unknown_api_url_answers_json_404(api):
    client = api("manager")
    for url in ("/api/nothing-here/", "/api/brands/acme-test/nothing-here/"):
        response = client.get(url)

        assert response.status_code == 404, url
        assert response["Content-Type"] == "application/json", url
        assert response.json() == {"detail": "Not found."}


def test_a_method_the_endpoint_does_not_take_answers_json_405(api):
    response = api("manager").delete("/api/me/")

    assert response.status_code == 405
    assert response.json() == {"detail": 'Method "DELETE" not allowed.'}
