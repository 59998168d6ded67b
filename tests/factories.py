"""Test data, built through the services so it has what real data has (audit rows,
verified email addresses, agency memberships)."""

from __future__ import annotations

import factory

from socialhub import services
from socialhub.models import Agency, Brand, User

PASSWORD = "test-pass-2026!"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@example.test")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.user_create(
            email=kwargs["email"],
            password=kwargs.get("password", PASSWORD),
            first_name=kwargs.get("first_name", ""),
            last_name=kwargs.get("last_name", ""),
            email_verified=kwargs.get("email_verified", True),
            is_superuser=kwargs.get("is_superuser", False),
        )


class AgencyFactory(factory.django.DjangoModelFactory):
    """An agency with an admin (pass ``owner=`` to choose them)."""

    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"Agency {n}")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        owner = kwargs.get("owner") or UserFactory()
        return services.agency_create(owner=owner, name=kwargs["name"])


class BrandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Brand

    agency = factory.SubFactory(AgencyFactory)
    name = factory.Sequence(lambda n: f"Brand {n}")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        agency = kwargs["agency"]
        actor = agency.memberships.filter(is_admin=True).first().user
        return services.brand_create(
            actor=actor,
            agency=agency,
            name=kwargs["name"],
            slug=kwargs.get("slug", ""),
            languages=kwargs.get("languages", ["en"]),
            competitors=kwargs.get("competitors", []),
        )


def grant(user: User, brand: Brand, role: str) -> User:
    """Give ``user`` ``role`` in ``brand`` (through the service, as the app does)."""
    services.membership_set_role(actor=None, brand=brand, user=user, role=role)
    return user
