"""Load the demo: an agency, two client brands, a user per role. Safe to run twice."""

from __future__ import annotations

from importlib import import_module

from allauth.account.models import EmailAddress
from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from socialhub import services
from socialhub.models import Agency, AgencyMembership, Brand, User

PASSWORD = "demo-pass-2026"
AGENCY = "Demo Agency"
BRANDS = [
    {
        "slug": "acme",
        "name": "Acme",
        "timezone_name": "Europe/London",
        "languages": ["en", "zh", "ru"],
        "competitors": ["Globex", "Initech", "Umbrella"],
        "description": "Consumer electronics: headphones, speakers and the Acme Cap bottle.",
    },
    {
        "slug": "globex",
        "name": "Globex",
        "timezone_name": "America/New_York",
        "languages": ["en"],
        "competitors": ["Acme", "Hooli", "Soylent"],
        "description": "Energy drinks and outdoor gear.",
    },
]
# (email, first name, last name, {brand slug: role}, agency admin)
PEOPLE = [
    ("admin@demo.example", "Avery", "Admin", {}, True),
    ("manager@acme.example", "Morgan", "Manager", {"acme": "manager"}, False),
    ("analyst@acme.example", "Alex", "Analyst", {"acme": "analyst"}, False),
    ("client@acme.example", "Casey", "Client", {"acme": "client"}, False),
    ("manager@globex.example", "Glenn", "Manager", {"globex": "manager"}, False),
]
STAFF = "staff@demo.example"


class Command(BaseCommand):
    help = "Create (or bring up to date) the demo agency, brands and users."

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            brands, admin = self._seed()
        # Each app adds its demo data through a ``demo_seed`` module (found by name:
        # the core never imports the apps built on it).
        for app in apps.get_app_configs():
            try:
                module = import_module(f"{app.name}.demo_seed")
            except ModuleNotFoundError as exc:
                if exc.name != f"{app.name}.demo_seed":
                    raise
                continue
            self.stdout.write(f"Demo data for {app.verbose_name}:")
            module.seed(brands=brands, actor=admin, stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo ready. Sign in with any of these:"))
        for email, *_rest in PEOPLE:
            self.stdout.write(f"  {email:28} {PASSWORD}")
        self.stdout.write(f"  {STAFF:28} {PASSWORD}   (platform admin: /admin/)")

    def _user(self, email: str, first: str, last: str, *, superuser: bool = False) -> User:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = services.user_create(
                email=email,
                password=PASSWORD,
                first_name=first,
                last_name=last,
                email_verified=True,
                is_superuser=superuser,
            )
        else:
            # Re-running resets the demo password and verification, so logins work.
            user.set_password(PASSWORD)
            user.save(update_fields=["password"])
            EmailAddress.objects.update_or_create(
                user=user, email=email, defaults={"verified": True, "primary": True}
            )
        return user

    def _seed(self) -> tuple[dict[str, Brand], User]:
        people = {email: self._user(email, f, ln) for email, f, ln, _r, _a in PEOPLE}
        self._user(STAFF, "Sam", "Staff", superuser=True)
        admin = people["admin@demo.example"]

        agency = Agency.objects.filter(name=AGENCY).first()
        if agency is None:
            agency = services.agency_create(owner=admin, name=AGENCY)
        brands = {}
        for spec in BRANDS:
            brand = Brand.objects.filter(slug=spec["slug"]).first()
            if brand is None:
                brand = services.brand_create(actor=admin, agency=agency, **spec)
            brands[brand.slug] = brand

        for email, _f, _l, roles, is_admin in PEOPLE:
            user = people[email]
            AgencyMembership.objects.get_or_create(agency=agency, user=user)
            if is_admin:
                services.agency_set_admin(actor=admin, agency=agency, user=user, is_admin=True)
            for slug, role in roles.items():
                services.membership_set_role(actor=admin, brand=brands[slug], user=user, role=role)
        return brands, admin
