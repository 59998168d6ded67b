"""Styled error pages; no stack trace with DEBUG off; JSON errors under /api/."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.urls import path

from socialhub.urls import urlpatterns as real_patterns

pytestmark = pytest.mark.django_db


def broken_view(request):
    raise RuntimeError("secret internal detail")


urlpatterns = [path("boom/", broken_view), path("api/boom/", broken_view), *real_patterns]
handler500 = "socialhub.views.error_500"


@pytest.fixture
def broken_site(settings):
    settings.ROOT_URLCONF = __name__
    settings.DEBUG = False


def test_a_crash_shows_the_styled_500_page_without_details(broken_site, world):
    client = world.client_for("analyst")
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Something went wrong on our side" in body
    assert "secret internal detail" not in body and "Traceback" not in body


def test_an_api_crash_answers_json(broken_site, world):
    client = world.client_for("analyst")
    client.raise_request_exception = False
    response = client.get("/api/boom/")
    assert response.status_code == 500
    assert "secret internal detail" not in response.json()["detail"]


def test_unknown_pages_get_the_styled_404(settings, world):
    settings.DEBUG = False
    response = world.client_for("analyst").get("/no/such/page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content


def test_unknown_api_addresses_answer_json_404(settings, world):
    settings.DEBUG = False
    response = world.client_for("analyst").get("/api/no-such-endpoint/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_a_role_without_the_capability_gets_the_styled_403(world):
    response = world.client_for("client").get(f"/b/{world.brand.slug}/settings/")
    assert response.status_code == 403
    assert b"Your role doesn" in response.content


def test_check_deploy_is_clean_with_production_variables(tmp_path):
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "x" * 30 + "-production-only-" + "y" * 30,
        "ALLOWED_HOSTS": "socialhub.example.com",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {**os.environ, "DEBUG": "false", "SECRET_KEY": ""}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
