"""`manage.py seed_demo`: the demo the README promises, safe to run twice."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client

from socialhub.models import Agency, Brand, BrandMembership, User

pytestmark = pytest.mark.django_db


def roles():
    return set(BrandMembership.objects.values_list("user__email", "brand__slug", "role"))


def test_it_creates_the_demo_agency_brands_and_people():
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    agency = Agency.objects.get(name="Demo Agency")
    assert set(agency.brands.values_list("slug", flat=True)) == {"acme", "globex"}
    assert Brand.objects.get(slug="acme").competitors
    assert roles() == {
        ("manager@acme.example", "acme", "manager"),
        ("analyst@acme.example", "acme", "analyst"),
        ("client@acme.example", "acme", "client"),
        ("manager@globex.example", "globex", "manager"),
    }
    assert agency.memberships.get(user__email="admin@demo.example").is_admin
    assert User.objects.get(email="staff@demo.example").is_superuser


def test_running_it_twice_changes_nothing():
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    before = (roles(), Brand.objects.count(), User.objects.count())
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert (roles(), Brand.objects.count(), User.objects.count()) == before


@pytest.mark.parametrize(
    "email", ["admin@demo.example", "manager@acme.example", "client@acme.example"]
)
def test_demo_people_sign_in_with_the_documented_password(email):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    client = Client()
    response = client.post("/accounts/login/", {"login": email, "password": "demo-pass-2026"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
