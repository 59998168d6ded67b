"""Reads of the tenancy core that join or group: what the pages and the API list."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Case, IntegerField, Prefetch, QuerySet, Value, When

from socialhub.models import (
    Agency,
    AgencyMembership,
    AuditEvent,
    Brand,
    BrandMembership,
    Invitation,
    Role,
    User,
)

# Managers first, then analysts, then clients: the order people read a team in.
ROLE_SENIORITY = Case(
    When(role=Role.MANAGER, then=Value(1)),
    When(role=Role.ANALYST, then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)


def site_url(path: str) -> str:
    """The full address of a page of this site (``path`` from ``reverse``), for what is
    read outside it: emails and feeds. ``SITE_URL`` says where the site is served."""
    return settings.SITE_URL.rstrip("/") + path


def brand_switcher(user: User) -> list[tuple[Agency, list[Brand]]]:
    """The user's active brands grouped by agency, for the brand switcher (one query)."""
    groups: dict[int, tuple[Agency, list[Brand]]] = {}
    brands = (
        Brand.objects.for_user(user)
        .active()
        .select_related("agency")
        .order_by("agency__name", "name")
    )
    for brand in brands:
        groups.setdefault(brand.agency_id, (brand.agency, []))[1].append(brand)
    return list(groups.values())


@dataclass
class AgencyMemberRow:
    """One person in the agency members list, with their role in each brand."""

    membership: AgencyMembership
    roles: dict[int, str] = field(default_factory=dict)

    @property
    def user(self) -> User:
        return self.membership.user


def agency_members(agency: Agency) -> list[AgencyMemberRow]:
    """Members of the agency with their role per brand (two queries)."""
    memberships = agency.memberships.select_related("user").order_by("-is_admin", "user__email")
    rows = {m.user_id: AgencyMemberRow(membership=m) for m in memberships}
    for bm in BrandMembership.objects.filter(brand__agency=agency).only(
        "user_id", "brand_id", "role"
    ):
        if bm.user_id in rows:
            rows[bm.user_id].roles[bm.brand_id] = bm.role
    return list(rows.values())


def member_roles(agency: Agency, user: User) -> dict[int, str]:
    """One person's role in each brand of the agency, by brand id."""
    return dict(
        BrandMembership.objects.filter(brand__agency=agency, user=user).values_list(
            "brand_id", "role"
        )
    )


def brand_members(brand: Brand) -> QuerySet[BrandMembership]:
    """The people holding a role in ``brand`` (agency admins are listed apart)."""
    return (
        BrandMembership.objects.filter(brand=brand)
        .select_related("user")
        .annotate(seniority=ROLE_SENIORITY)
        .order_by("seniority", "user__email")
    )


def agency_admins(agency: Agency) -> QuerySet[User]:
    """The agency's admins, who hold every brand of it."""
    return User.objects.filter(
        agency_memberships__agency=agency, agency_memberships__is_admin=True
    ).order_by("email")


def pending_invitations(agency: Agency, brand: Brand | None = None) -> list[Invitation]:
    """Invitations not yet accepted, revoked or expired; for one brand when given."""
    invitations = [
        inv
        for inv in agency.invitations.filter(accepted_at__isnull=True, revoked_at__isnull=True)
        .select_related("invited_by")
        .order_by("-created_at")
        if inv.status == "pending"
    ]
    if brand is not None:
        invitations = [inv for inv in invitations if str(brand.pk) in inv.brand_roles]
    return invitations


def audit_events(agency: Agency, brand: Brand | None = None) -> QuerySet[AuditEvent]:
    """The agency's audit trail, newest first; one brand's when given."""
    events = AuditEvent.objects.filter(agency=agency).select_related("actor", "brand")
    if brand is not None:
        events = events.filter(brand=brand)
    return events


def agencies_with_brands(user: User) -> QuerySet[Agency]:
    """The agencies a user belongs to, with the brands they can see in each."""
    return (
        Agency.objects.for_user(user)
        .prefetch_related(Prefetch("brands", queryset=Brand.objects.for_user(user)))
        .distinct()
    )
