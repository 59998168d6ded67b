"""Writes of the tenancy core. Each one checks its rule and writes its audit row in
the same transaction; views, the API, the admin and ``seed_demo`` all call these."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from socialhub import access
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

BRAND_EDITABLE_FIELDS = ("name", "timezone", "languages", "competitors", "description")


def audit_record(
    *,
    agency: Agency,
    actor: User | None,
    action: str,
    brand: Brand | None = None,
    target_email: str = "",
    **detail: Any,
) -> AuditEvent:
    """Record who did what; called inside the transaction of the change it describes."""
    return AuditEvent.objects.create(
        agency=agency,
        brand=brand,
        actor=actor,
        action=action,
        target_email=target_email,
        detail=detail,
    )


# -- users -----------------------------------------------------------------------------


@transaction.atomic
def user_create(
    *,
    email: str,
    password: str | None,
    first_name: str = "",
    last_name: str = "",
    email_verified: bool = False,
    is_superuser: bool = False,
) -> User:
    """Create an account with its allauth email address (verified when proven)."""
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": "An account with this email address already exists."})
    manager = User.objects
    create = manager.create_superuser if is_superuser else manager.create_user
    user = create(email=email, password=password, first_name=first_name, last_name=last_name)
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=email_verified)
    return user


# -- agencies --------------------------------------------------------------------------


def _unique_slug(model: type[Agency] | type[Brand], name: str) -> str:
    base = slugify(name)[:50] or "brand"
    slug, n = base, 2
    while model.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def agency_create(*, owner: User, name: str) -> Agency:
    """A new agency with ``owner`` as its first admin (open signup, seed, admin)."""
    agency = Agency.objects.create(name=name, slug=_unique_slug(Agency, name))
    AgencyMembership.objects.create(agency=agency, user=owner, is_admin=True)
    audit_record(
        agency=agency, actor=owner, action=AuditEvent.Action.ADMIN_GRANTED, target_email=owner.email
    )
    return agency


@transaction.atomic
def agency_update(*, actor: User, agency: Agency, name: str, require_mfa: bool) -> Agency:
    """Rename the agency or change whether two-factor is required of its members."""
    stored = Agency.objects.select_for_update().get(pk=agency.pk)
    changes = [
        field
        for field, value in (("name", name), ("require_mfa", require_mfa))
        if getattr(stored, field) != value
    ]
    agency.name, agency.require_mfa = name, require_mfa
    if not changes:
        return agency
    agency.full_clean()
    agency.save(update_fields=changes)
    audit_record(
        agency=agency, actor=actor, action=AuditEvent.Action.AGENCY_UPDATED, changes=changes
    )
    return agency


def _admins_left(agency: Agency, without: User) -> int:
    return agency.memberships.filter(is_admin=True).exclude(user=without).count()


@transaction.atomic
def agency_set_admin(*, actor: User, agency: Agency, user: User, is_admin: bool) -> None:
    """Make ``user`` an agency admin or take it away; an agency keeps at least one admin."""
    membership = AgencyMembership.objects.select_for_update().get(agency=agency, user=user)
    if membership.is_admin == is_admin:
        return
    if not is_admin and _admins_left(agency, without=user) == 0:
        raise ValidationError("An agency needs at least one admin; make someone else admin first.")
    membership.is_admin = is_admin
    membership.save(update_fields=["is_admin"])
    access.forget_roles(user)
    audit_record(
        agency=agency,
        actor=actor,
        action=AuditEvent.Action.ADMIN_GRANTED if is_admin else AuditEvent.Action.ADMIN_REVOKED,
        target_email=user.email,
    )


@transaction.atomic
def agency_member_remove(*, actor: User, agency: Agency, user: User) -> None:
    """Remove ``user`` from the agency and from every brand of it."""
    membership = AgencyMembership.objects.filter(agency=agency, user=user).first()
    if membership is None:
        raise ValidationError("This person is not a member of the agency.")
    if membership.is_admin and _admins_left(agency, without=user) == 0:
        raise ValidationError("An agency needs at least one admin; make someone else admin first.")
    roles = list(
        BrandMembership.objects.filter(brand__agency=agency, user=user).values_list(
            "brand__name", "role"
        )
    )
    BrandMembership.objects.filter(brand__agency=agency, user=user).delete()
    membership.delete()
    access.forget_roles(user)
    audit_record(
        agency=agency,
        actor=actor,
        action=AuditEvent.Action.MEMBER_REMOVED,
        target_email=user.email,
        roles={name: role for name, role in roles},
        was_admin=membership.is_admin,
    )


# -- brands ----------------------------------------------------------------------------


def _clean_codes(values: list[str]) -> list[str]:
    return sorted({v.strip().lower() for v in values if v and v.strip()})


@transaction.atomic
def brand_create(
    *,
    actor: User,
    agency: Agency,
    name: str,
    slug: str = "",
    timezone_name: str = "UTC",
    languages: list[str] | None = None,
    competitors: list[str] | None = None,
    description: str = "",
) -> Brand:
    """A new client brand in ``agency``; the slug is derived from the name if not given."""
    brand = Brand(
        agency=agency,
        name=name.strip(),
        slug=slug or _unique_slug(Brand, name),
        timezone=timezone_name,
        languages=_clean_codes(languages or []),
        competitors=[c.strip() for c in competitors or [] if c.strip()],
        description=description,
    )
    brand.full_clean()
    brand.save()
    audit_record(agency=agency, actor=actor, action=AuditEvent.Action.BRAND_CREATED, brand=brand)
    return brand


@transaction.atomic
def brand_update(*, actor: User, brand: Brand, **fields: Any) -> Brand:
    """Change a brand's settings; the slug and agency never change here."""
    unknown = set(fields) - set(BRAND_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {', '.join(sorted(unknown))}")
    if "languages" in fields:
        fields["languages"] = _clean_codes(fields["languages"])
    # Compare with what is stored, not with ``brand``: a bound ModelForm may already
    # have written the new values onto the instance it was given.
    stored = Brand.objects.select_for_update().get(pk=brand.pk)
    changes = [f for f, v in fields.items() if getattr(stored, f) != v]
    for field, value in fields.items():
        setattr(brand, field, value)
    if not changes:
        return brand
    brand.full_clean()
    brand.save(update_fields=changes)
    audit_record(
        agency=brand.agency,
        actor=actor,
        action=AuditEvent.Action.BRAND_UPDATED,
        brand=brand,
        changes=changes,
    )
    return brand


@transaction.atomic
def brand_set_archived(*, actor: User, brand: Brand, archived: bool) -> Brand:
    """Archive a brand (hidden from everyone but the agency's admins) or restore it."""
    if brand.is_archived == archived:
        return brand
    brand.archived_at = timezone.now() if archived else None
    brand.save(update_fields=["archived_at"])
    audit_record(
        agency=brand.agency,
        actor=actor,
        action=AuditEvent.Action.BRAND_ARCHIVED if archived else AuditEvent.Action.BRAND_RESTORED,
        brand=brand,
    )
    return brand


# -- roles -----------------------------------------------------------------------------


@transaction.atomic
def membership_set_role(*, actor: User | None, brand: Brand, user: User, role: str | None) -> None:
    """Grant, change or (with ``role=None``) remove ``user``'s role in ``brand``.

    The person joins the brand's agency as a plain member if they were not in it.
    """
    if role is not None and role not in Role.values:
        raise ValidationError({"role": f"Unknown role “{role}”."})
    current = BrandMembership.objects.select_for_update().filter(brand=brand, user=user).first()
    old_role = current.role if current else None
    if old_role == role:
        return
    if role is None:
        current.delete()
        action = AuditEvent.Action.ROLE_REVOKED
    elif current is None:
        AgencyMembership.objects.get_or_create(agency=brand.agency, user=user)
        BrandMembership.objects.create(brand=brand, user=user, role=role)
        action = AuditEvent.Action.ROLE_GRANTED
    else:
        current.role = role
        current.save(update_fields=["role"])
        action = AuditEvent.Action.ROLE_CHANGED
    access.forget_roles(user)
    audit_record(
        agency=brand.agency,
        actor=actor,
        action=action,
        brand=brand,
        target_email=user.email,
        from_role=old_role,
        to_role=role,
    )


# -- invitations -----------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_by_token(token: str) -> Invitation | None:
    """The invitation a link's token belongs to, whatever its state."""
    return (
        Invitation.objects.select_related("agency", "invited_by")
        .filter(token_hash=_token_hash(token))
        .first()
    )


@transaction.atomic
def invitation_create(
    *,
    actor: User,
    agency: Agency,
    email: str,
    brand_roles: dict[Brand, str],
    is_admin: bool = False,
    base_url: str,
) -> tuple[Invitation, str]:
    """Invite ``email`` to the agency with roles per brand; emails a single-use link.

    Returns the invitation and the raw token (shown nowhere else; only its hash is kept).
    """
    email = email.strip().lower()
    if not is_admin and not brand_roles:
        raise ValidationError("Give the person a role in at least one brand, or make them admin.")
    for brand, role in brand_roles.items():
        if brand.agency_id != agency.pk:
            raise ValidationError({"brand_roles": f"{brand.name} is not a brand of {agency.name}."})
        if role not in Role.values:
            raise ValidationError({"brand_roles": f"Unknown role “{role}”."})
    if AgencyMembership.objects.filter(agency=agency, user__email__iexact=email, is_admin=True):
        raise ValidationError({"email": f"{email} is already an admin of {agency.name}."})
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        agency=agency,
        email=email,
        is_admin=is_admin,
        brand_roles={str(b.pk): r for b, r in brand_roles.items()},
        token_hash=_token_hash(token),
        invited_by=actor,
        expires_at=timezone.now() + timedelta(days=settings.SOCIALHUB_INVITATION_DAYS),
    )
    audit_record(
        agency=agency,
        actor=actor,
        action=AuditEvent.Action.MEMBER_INVITED,
        target_email=email,
        brand=next(iter(brand_roles)) if len(brand_roles) == 1 else None,
        roles={b.name: r for b, r in brand_roles.items()},
        is_admin=is_admin,
    )
    url = base_url.rstrip("/") + reverse("socialhub:invitation_accept", kwargs={"token": token})
    context = {"invitation": invitation, "url": url, "brands": list(brand_roles.items())}
    transaction.on_commit(
        lambda: send_mail(
            subject=f"[SocialHub] {actor.display_name} invited you to {agency.name}",
            message=render_to_string("socialhub/email/invitation.txt", context),
            from_email=None,
            recipient_list=[email],
        )
    )
    return invitation, token


@transaction.atomic
def invitation_revoke(*, actor: User, invitation: Invitation) -> None:
    """Make a pending invitation's link stop working."""
    # Re-read under a lock, as invitation_accept does: it may have been accepted meanwhile.
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status != "pending":
        raise ValidationError(f"This invitation is already {invitation.status}.")
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit_record(
        agency=invitation.agency,
        actor=actor,
        action=AuditEvent.Action.INVITATION_REVOKED,
        target_email=invitation.email,
    )


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User) -> list[Brand]:
    """Grant what the invitation holds to ``user``; the link works once, until it expires.

    The invitation proves the address, so the user's matching email becomes verified.
    """
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status != "pending":
        raise ValidationError(f"This invitation is {invitation.status}.")
    if user.email.lower() != invitation.email.lower():
        raise ValidationError(
            f"This invitation is for {invitation.email}; you are signed in as {user.email}."
        )
    agency = invitation.agency
    membership, _ = AgencyMembership.objects.get_or_create(agency=agency, user=user)
    if invitation.is_admin and not membership.is_admin:
        membership.is_admin = True
        membership.save(update_fields=["is_admin"])
    brands = list(Brand.objects.filter(agency=agency, pk__in=invitation.brand_roles))
    for brand in brands:
        membership_set_role(
            actor=invitation.invited_by,
            brand=brand,
            user=user,
            role=invitation.brand_roles[str(brand.pk)],
        )
    EmailAddress.objects.filter(user=user, email__iexact=invitation.email).update(verified=True)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    access.forget_roles(user)
    audit_record(
        agency=agency,
        actor=user,
        action=AuditEvent.Action.INVITATION_ACCEPTED,
        target_email=user.email,
        roles={b.name: invitation.brand_roles[str(b.pk)] for b in brands},
        is_admin=invitation.is_admin,
    )
    return brands
