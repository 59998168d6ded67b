"""The OpenAPI schema of the whole API, and the Swagger UI that renders it."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import yaml
from django.contrib.staticfiles import finders
from django.core.management import call_command
from drf_spectacular.drainage import GENERATOR_STATS
from rest_framework.test import APIClient

from socialhub.api.urls import router


def router_paths_under_a_brand() -> set[str]:
    """The OpenAPI path of every route the router has under /api/brands/<slug>/."""
    paths = set()
    for pattern in router.urls:
        regex = pattern.pattern.regex.pattern  # e.g. ^brands/(?P<brand_slug>[-a-z]+)/x/$
        path = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", regex.strip("^$"))
        # drf-spectacular names a ``pk`` parameter after the primary key (SCHEMA_COERCE_PATH_PK).
        path = path.replace("{pk}", "{id}")
        if path.startswith("brands/{brand_slug}/"):
            paths.add(f"/api/{path}")
    return paths


def test_the_router_has_brand_endpoints():
    # Guards the test below from passing on an empty set.
    assert router_paths_under_a_brand() >= {
        "/api/brands/{brand_slug}/memberships/",
        "/api/brands/{brand_slug}/memberships/{id}/",
    }


def test_it_generates_a_valid_schema_without_warnings(tmp_path):
    # Warnings are counted per process; count only this generation's.
    GENERATOR_STATS.reset()
    schema_file = tmp_path / "schema.yaml"

    # Raises on any warning or on a schema that is not valid OpenAPI 3.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(schema_file))

    schema = yaml.safe_load(schema_file.read_text())
    paths = set(schema["paths"])
    assert router_paths_under_a_brand() <= paths
    assert {
        "/api/me/",
        "/api/agencies/",
        "/api/agencies/{slug}/",
        "/api/brands/",
        "/api/brands/{brand_slug}/",
    } <= paths


def test_the_schema_names_both_role_enums_apart(db):
    # A brand's role includes "admin"; a membership's role never does.
    schema = yaml.safe_load(APIClient().get("/api/schema/").content)
    components = schema["components"]["schemas"]

    assert components["BrandRoleEnum"]["enum"] == ["admin", "manager", "analyst", "client"]
    assert "admin" not in components["RoleEnum"]["enum"]


def test_the_schema_endpoint_serves_the_schema(db):
    response = APIClient().get("/api/schema/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi")
    schema = yaml.safe_load(response.content)
    assert schema["info"]["title"] == "SocialHub API"
    assert router_paths_under_a_brand() <= set(schema["paths"])
    assert set(schema["components"]["securitySchemes"]) == {"cookieAuth", "tokenAuth"}


def test_the_schema_endpoint_serves_json_too(db):
    response = APIClient().get("/api/schema/?format=json")

    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")


class _Assets(HTMLParser):
    """Collects the URLs of the scripts and stylesheets of a page."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("src"):
            self.urls.append(attrs["src"])
        if tag == "link" and attrs.get("href"):
            self.urls.append(attrs["href"])


def page_assets(response) -> list[str]:
    parser = _Assets()
    parser.feed(response.content.decode())
    return parser.urls


def test_the_docs_render_swagger_ui_from_our_own_static_files(world, api):
    response = api("analyst").get("/api/docs/")

    assert response.status_code == 200
    assert '"/api/schema/"' in response.content.decode()
    assets = page_assets(response)
    assert any(url.endswith("/swagger-ui-bundle.js") for url in assets), assets
    for url in assets:
        # No CDN: every script, stylesheet and icon is a static file of the sidecar.
        assert url.startswith("/static/drf_spectacular_sidecar/swagger-ui-dist/"), url
        assert finders.find(url.removeprefix("/static/")), f"{url} is not a static file"
