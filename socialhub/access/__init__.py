"""Access in one place: the only code that answers "may this user do this to this brand?".

Four parts, used by every brand-scoped view, viewset, queryset and task:

1. the capability table (role × capability), compiled into a ``rules`` rule set;
2. scoped querysets: ``Brand.objects.for_user(user)`` and ``<BrandOwned>.objects.for_user(user)``;
3. ``get_brand_for_user`` / ``get_agency_for_admin``: the brand (or agency) from the URL,
   where unknown and forbidden both answer 404, so existence is never leaked;
4. ``BrandViewMixin`` and ``AgencyAdminMixin`` for pages, ``BrandViewSet`` (in
   ``socialhub.api.base``) for the API; each owns ``get_queryset()``.

Inside a brand the user holds, a missing capability answers 403 (the brand is known
to them); outside it, 404.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import rules
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import Q
from django.http import Http404

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from socialhub.models import Agency, Brand, User

# The agency admin is not a brand role (no BrandMembership row) but acts as one.
ADMIN = "admin"
MANAGER = "manager"
ANALYST = "analyst"
CLIENT = "client"
ROLES = (ADMIN, MANAGER, ANALYST, CLIENT)

_ALL = frozenset(ROLES)
_STAFF = frozenset({ADMIN, MANAGER, ANALYST})
_LEADS = frozenset({ADMIN, MANAGER})

# The capability table. A capability is granted to exactly the roles listed.
CAPABILITY_TABLE: dict[str, frozenset[str]] = {
    # See the brand at all: its home, dashboards and reports.
    "brand.view": _ALL,
    # Change the brand's own settings (name, time zone, languages, competitors).
    "brand.edit": _LEADS,
    # Archive or restore the brand: an agency decision.
    "brand.archive": frozenset({ADMIN}),
    # See who works on the brand.
    "members.view": _ALL,
    # Invite people to the brand, change their role, remove them.
    "members.manage": _LEADS,
    # Sources, queries, alert rules.
    "listening.configure": _STAFF,
    # Triage and answer mentions in the inbox.
    "mentions.triage": _STAFF,
    # Read dashboards, reports and the mention stream.
    "reports.view": _ALL,
    # Plan campaigns, goals and reviews.
    "campaigns.manage": _LEADS,
    # Draft and edit content on the calendar.
    "content.draft": _STAFF,
    # Approve or request changes on content (the client's job; managers too).
    "content.approve": frozenset({ADMIN, MANAGER, CLIENT}),
    # Comment on content and reports.
    "content.comment": _ALL,
    # Edit influencer relationships, interactions and collaborations.
    "influencers.edit": _STAFF,
}
CAPABILITIES = tuple(CAPABILITY_TABLE)


def _membership_models() -> tuple[type[models.Model], type[models.Model]]:
    return apps.get_model("socialhub", "AgencyMembership"), apps.get_model(
        "socialhub", "BrandMembership"
    )


# -- roles -----------------------------------------------------------------------------


def prime_roles(user: User | AnonymousUser, brands: Iterable[Brand]) -> None:
    """Work out the user's role in many brands at once (two queries), so that
    :func:`role_for` over a list of brands does not query per brand."""
    if not user.is_authenticated or not user.is_active:
        return
    cache: dict[int, str | None] = user.__dict__.setdefault("_socialhub_roles", {})
    todo = [b for b in brands if b.pk not in cache]
    if not todo:
        return
    AgencyMembership, BrandMembership = _membership_models()
    admin_of = set(
        AgencyMembership.objects.filter(
            user=user, agency_id__in={b.agency_id for b in todo}, is_admin=True
        ).values_list("agency_id", flat=True)
    )
    roles = dict(
        BrandMembership.objects.filter(user=user, brand__in=[b.pk for b in todo]).values_list(
            "brand_id", "role"
        )
    )
    for brand in todo:
        if brand.agency_id in admin_of:
            cache[brand.pk] = ADMIN
        elif brand.archived_at is not None:
            cache[brand.pk] = None
        else:
            cache[brand.pk] = roles.get(brand.pk)


def role_for(user: User | AnonymousUser, brand: Brand) -> str | None:
    """The user's role in ``brand``: 'admin' for an agency admin, the brand role, or None.

    Cached on the user object, which lives for one request.
    """
    if not user.is_authenticated or not user.is_active:
        return None
    cache: dict[int, str | None] = user.__dict__.setdefault("_socialhub_roles", {})
    if brand.pk not in cache:
        AgencyMembership, BrandMembership = _membership_models()
        # An agency admin holds every brand of the agency, archived ones included.
        if AgencyMembership.objects.filter(
            user=user, agency_id=brand.agency_id, is_admin=True
        ).exists():
            cache[brand.pk] = ADMIN
        # An archived brand is closed to everyone but the agency's admins.
        elif brand.archived_at is not None:
            cache[brand.pk] = None
        # Otherwise the brand role, if the user has one.
        else:
            cache[brand.pk] = (
                BrandMembership.objects.filter(user=user, brand=brand)
                .values_list("role", flat=True)
                .first()
            )
    return cache[brand.pk]


def forget_roles(user: User) -> None:
    """Drop the cached roles after a change, so the next check reads the database."""
    user.__dict__.pop("_socialhub_roles", None)


def _role_in(roles: frozenset[str]) -> rules.Predicate:
    @rules.predicate(name=f"role_in({','.join(sorted(roles))})")
    def predicate(user: User, brand: Brand) -> bool:
        return role_for(user, brand) in roles

    return predicate


BRAND_RULES = rules.RuleSet()
for _capability, _roles in CAPABILITY_TABLE.items():
    BRAND_RULES.add_rule(_capability, _role_in(_roles))


def can(user: User | AnonymousUser, capability: str, brand: Brand) -> bool:
    """May ``user`` do ``capability`` in ``brand``? Unknown capabilities are a bug."""
    if capability not in CAPABILITY_TABLE:
        raise ImproperlyConfigured(f"Unknown capability {capability!r}")
    return BRAND_RULES.test_rule(capability, user, brand)


def capabilities_of(role: str | None) -> frozenset[str]:
    """Every capability a role holds (for templates: show only what may be done)."""
    return frozenset(cap for cap, roles in CAPABILITY_TABLE.items() if role in roles)


def is_agency_admin(user: User | AnonymousUser, agency: Agency) -> bool:
    """Is ``user`` an admin of ``agency``?"""
    if not user.is_authenticated or not user.is_active:
        return False
    AgencyMembership, _ = _membership_models()
    return AgencyMembership.objects.filter(user=user, agency=agency, is_admin=True).exists()


def directory_agency_ids(user: User | AnonymousUser) -> models.QuerySet:
    """Ids of the agencies whose influencer directory ``user`` may use (a subquery).

    The directory is agency-wide, so it holds notes about every brand's influencers:
    only the agency's staff may use it, never its clients."""
    if not user.is_authenticated or not user.is_active:
        return apps.get_model("socialhub", "Agency").objects.none().values("id")
    AgencyMembership, BrandMembership = _membership_models()
    Agency = apps.get_model("socialhub", "Agency")
    staff_roles = sorted(_STAFF - {ADMIN})
    return Agency.objects.filter(
        # Agency admins: the directory of every agency they administer.
        Q(id__in=AgencyMembership.objects.filter(user=user, is_admin=True).values("agency_id"))
        # Staff (manager, analyst) of at least one active brand of the agency.
        | Q(
            id__in=BrandMembership.objects.filter(
                user=user, role__in=staff_roles, brand__archived_at__isnull=True
            ).values("brand__agency_id")
        )
    ).values("id")


def can_use_directory(user: User | AnonymousUser, agency: Agency) -> bool:
    """May ``user`` see and edit ``agency``'s influencer directory? Its admins and the
    staff (manager, analyst) of one of its brands may; clients and outsiders may not."""
    return directory_agency_ids(user).filter(id=agency.pk).exists()


# -- querysets -------------------------------------------------------------------------


class BrandQuerySet(models.QuerySet):
    """Brands, narrowed to what a user may see."""

    def for_user(self, user: User | AnonymousUser) -> BrandQuerySet:
        """Brands where ``user`` holds a role: every brand of the agencies they administer
        (archived ones included) and the active brands they are a member of."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        AgencyMembership, BrandMembership = _membership_models()
        admin_agencies = AgencyMembership.objects.filter(user=user, is_admin=True).values(
            "agency_id"
        )
        member_brands = BrandMembership.objects.filter(user=user).values("brand_id")
        return self.filter(
            # Agency admins: every brand of their agencies.
            Q(agency_id__in=admin_agencies)
            # Everyone: active brands they hold a role in.
            | Q(id__in=member_brands, archived_at__isnull=True)
        )

    def active(self) -> BrandQuerySet:
        return self.filter(archived_at__isnull=True)


class BrandScopedQuerySet(models.QuerySet):
    """Rows of brand-scoped models (``BrandOwned``), narrowed to what a user may see."""

    def for_user(self, user: User | AnonymousUser) -> BrandScopedQuerySet:
        """Rows of the brands ``user`` holds a role in."""
        Brand = apps.get_model("socialhub", "Brand")
        return self.filter(brand_id__in=Brand.objects.for_user(user).values("id"))


class AgencyQuerySet(models.QuerySet):
    """Agencies, narrowed to what a user may see."""

    def for_user(self, user: User | AnonymousUser) -> AgencyQuerySet:
        """Agencies the user is a member of."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        return self.filter(memberships__user=user)

    def administered_by(self, user: User | AnonymousUser) -> AgencyQuerySet:
        """Agencies the user administers."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        return self.filter(memberships__user=user, memberships__is_admin=True)


# -- from the URL ----------------------------------------------------------------------


def get_brand_for_user(user: User | AnonymousUser, slug: str) -> Brand:
    """The brand named in the URL, if the user holds a role in it; else 404 (never 403)."""
    Brand = apps.get_model("socialhub", "Brand")
    brand = Brand.objects.for_user(user).select_related("agency").filter(slug=slug).first()
    if brand is None:
        raise Http404("No such brand.")
    return brand


def get_agency_for_admin(user: User | AnonymousUser, slug: str) -> Agency:
    """The agency named in the URL, if the user administers it; else 404."""
    Agency = apps.get_model("socialhub", "Agency")
    agency = Agency.objects.administered_by(user).filter(slug=slug).first()
    if agency is None:
        raise Http404("No such agency.")
    return agency


def get_agency_for_directory(user: User | AnonymousUser, slug: str) -> Agency:
    """The agency named in the URL, if the user may use its influencer directory; else 404."""
    Agency = apps.get_model("socialhub", "Agency")
    agency = Agency.objects.filter(id__in=directory_agency_ids(user), slug=slug).first()
    if agency is None:
        raise Http404("No such agency.")
    return agency


# -- views (imported lazily: they need Django's auth and DRF, which need the models) -----

_VIEW_NAMES = (
    "AgencyAdminMixin",
    "AgencyDirectoryMixin",
    "BrandCapabilityPermission",
    "BrandViewMixin",
    "BrandViewSet",
)


def __getattr__(name: str) -> Any:
    if name in _VIEW_NAMES:
        from socialhub.access import views

        return getattr(views, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
