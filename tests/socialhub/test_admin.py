"""The Django admin for platform staff: every registered model lists, searches, filters."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from socialhub.models import Agency, AuditEvent, Brand, BrandMembership, Invitation, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

OUR_MODELS = [User, Agency, Brand, BrandMembership, Invitation, AuditEvent]


@pytest.fixture
def staff_client(world):
    client = Client()
    client.force_login(UserFactory(email="staff@platform.test", is_superuser=True))
    return client


@pytest.mark.parametrize("model", list(admin.site._registry), ids=lambda m: m._meta.label)
def test_every_admin_changelist_opens_and_searches(staff_client, model):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    assert staff_client.get(url).status_code == 200
    if admin.site._registry[model].search_fields:
        assert staff_client.get(url, {"q": "acme"}).status_code == 200


@pytest.mark.parametrize("model", OUR_MODELS, ids=lambda m: m.__name__)
def test_our_models_have_list_columns_filters_and_search(model):
    model_admin = admin.site._registry[model]
    assert len(model_admin.list_display) >= 3
    assert model_admin.list_filter
    assert model_admin.search_fields


def test_brand_change_page_shows_its_members_inline(staff_client, world):
    url = reverse("admin:socialhub_brand_change", args=[world.brand.pk])
    body = staff_client.get(url).content.decode()
    assert world.users["manager"].display_name in body


def test_the_audit_trail_is_read_only_in_the_admin(staff_client, world):
    event = AuditEvent.objects.first()
    url = reverse("admin:socialhub_auditevent_change", args=[event.pk])
    staff_client.post(url, {"action": "brand.archived"})
    event.refresh_from_db()
    assert event.action != "brand.archived"
    assert staff_client.get(reverse("admin:socialhub_auditevent_add")).status_code == 403
