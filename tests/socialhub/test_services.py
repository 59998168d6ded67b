"""socialhub.services: every write, its rule and its audit row."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from socialhub import access, services
from socialhub.models import (
    AgencyMembership,
    AuditEvent,
    Brand,
    BrandMembership,
    Invitation,
    User,
)
from tests.factories import UserFactory

A = AuditEvent.Action
BASE_URL = "https://socialhub.example.test/"


def last_event(**filters) -> AuditEvent:
    return AuditEvent.objects.filter(**filters).order_by("-id").first()


def fresh(user: User) -> User:
    """The user as the next request would load them (no cached roles)."""
    return User.objects.get(pk=user.pk)


# -- audit -----------------------------------------------------------------------------


def test_it_records_who_did_what_to_whom(world):
    admin = world.users["admin"]
    event = services.audit_record(
        agency=world.agency,
        actor=admin,
        action=A.ROLE_CHANGED,
        brand=world.brand,
        target_email="analyst@alpha.test",
        from_role="analyst",
        to_role="manager",
    )
    event.refresh_from_db()
    assert event.agency == world.agency
    assert event.brand == world.brand
    assert event.actor == admin
    assert event.action == A.ROLE_CHANGED
    assert event.target_email == "analyst@alpha.test"
    assert event.detail == {"from_role": "analyst", "to_role": "manager"}
    assert event.summary == "analyst → manager in Acme Test"


# -- users -----------------------------------------------------------------------------


def test_it_creates_a_user_with_their_email_address(db):
    user = services.user_create(email="  New.Person@Example.TEST ", password="x-Long-pass-1")
    assert user.email == "new.person@example.test"
    assert user.check_password("x-Long-pass-1")
    address = EmailAddress.objects.get(user=user)
    assert address.email == "new.person@example.test"
    assert address.primary
    assert not address.verified
    assert not user.is_superuser


def test_it_marks_a_proven_address_verified(db):
    user = services.user_create(email="a@example.test", password=None, email_verified=True)
    assert EmailAddress.objects.get(user=user).verified


def test_it_creates_a_platform_superuser(db):
    user = services.user_create(email="root@example.test", password=None, is_superuser=True)
    assert user.is_superuser
    assert user.is_staff


def test_it_refuses_a_second_account_for_the_same_address(world):
    with pytest.raises(ValidationError) as exc:
        services.user_create(email="MANAGER@alpha.test", password=None)
    assert "email" in exc.value.error_dict
    assert User.objects.filter(email__iexact="manager@alpha.test").count() == 1


# -- agencies --------------------------------------------------------------------------


def test_it_creates_an_agency_with_its_owner_as_admin(db):
    owner = UserFactory()
    agency = services.agency_create(owner=owner, name="Gamma Group")
    assert agency.slug == "gamma-group"
    assert AgencyMembership.objects.get(agency=agency, user=owner).is_admin
    event = last_event(agency=agency)
    assert (event.action, event.actor, event.target_email) == (A.ADMIN_GRANTED, owner, owner.email)


def test_it_gives_a_second_agency_of_the_same_name_its_own_slug(db):
    first = services.agency_create(owner=UserFactory(), name="Gamma Group")
    second = services.agency_create(owner=UserFactory(), name="Gamma Group")
    assert (first.slug, second.slug) == ("gamma-group", "gamma-group-2")


def test_it_updates_the_agency_settings_and_records_what_changed(world):
    admin = world.users["admin"]
    services.agency_update(actor=admin, agency=world.agency, name="Alpha", require_mfa=True)
    world.agency.refresh_from_db()
    assert (world.agency.name, world.agency.require_mfa) == ("Alpha", True)
    event = last_event(agency=world.agency)
    assert (event.action, event.actor) == (A.AGENCY_UPDATED, admin)
    assert event.detail == {"changes": ["name", "require_mfa"]}


def test_it_records_nothing_when_the_agency_settings_are_unchanged(world):
    before = AuditEvent.objects.count()
    services.agency_update(
        actor=world.users["admin"], agency=world.agency, name="Alpha Agency", require_mfa=False
    )
    assert AuditEvent.objects.count() == before


def test_it_makes_a_member_agency_admin(world):
    admin, manager = world.users["admin"], world.users["manager"]
    services.agency_set_admin(actor=admin, agency=world.agency, user=manager, is_admin=True)
    assert access.role_for(fresh(manager), world.sibling) == "admin"
    event = last_event(agency=world.agency)
    assert (event.action, event.actor, event.target_email) == (
        A.ADMIN_GRANTED,
        admin,
        manager.email,
    )


def test_it_takes_agency_admin_away_when_another_admin_remains(world):
    admin, manager = world.users["admin"], world.users["manager"]
    services.agency_set_admin(actor=admin, agency=world.agency, user=manager, is_admin=True)
    services.agency_set_admin(actor=manager, agency=world.agency, user=admin, is_admin=False)
    assert access.role_for(fresh(admin), world.brand) is None
    event = last_event(agency=world.agency)
    assert (event.action, event.actor, event.target_email) == (
        A.ADMIN_REVOKED,
        manager,
        admin.email,
    )


def test_the_last_admin_cannot_stop_being_admin(world):
    admin = world.users["admin"]
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError, match="at least one admin"):
        services.agency_set_admin(actor=admin, agency=world.agency, user=admin, is_admin=False)
    assert AgencyMembership.objects.get(agency=world.agency, user=admin).is_admin
    assert AuditEvent.objects.count() == before


def test_it_records_nothing_when_the_admin_flag_is_unchanged(world):
    before = AuditEvent.objects.count()
    services.agency_set_admin(
        actor=world.users["admin"], agency=world.agency, user=world.users["admin"], is_admin=True
    )
    assert AuditEvent.objects.count() == before


def test_it_removes_a_member_from_the_agency_and_all_its_brands(world):
    admin, analyst = world.users["admin"], world.users["analyst"]
    services.membership_set_role(actor=admin, brand=world.sibling, user=analyst, role="client")
    services.agency_member_remove(actor=admin, agency=world.agency, user=analyst)
    assert not AgencyMembership.objects.filter(user=analyst).exists()
    assert not BrandMembership.objects.filter(user=analyst).exists()
    assert access.role_for(fresh(analyst), world.brand) is None
    event = last_event(agency=world.agency)
    assert (event.action, event.actor, event.target_email) == (
        A.MEMBER_REMOVED,
        admin,
        analyst.email,
    )
    assert event.detail == {
        "roles": {"Acme Test": "analyst", "Sibling Co": "client"},
        "was_admin": False,
    }


def test_it_leaves_the_members_other_agencies_alone(world):
    manager = world.users["manager"]
    services.membership_set_role(
        actor=world.foreign_admin, brand=world.foreign_brand, user=manager, role="client"
    )
    services.agency_member_remove(actor=world.users["admin"], agency=world.agency, user=manager)
    assert access.role_for(fresh(manager), world.foreign_brand) == "client"


def test_it_removes_an_admin_when_another_admin_remains(world):
    admin, manager = world.users["admin"], world.users["manager"]
    services.agency_set_admin(actor=admin, agency=world.agency, user=manager, is_admin=True)
    services.agency_member_remove(actor=manager, agency=world.agency, user=admin)
    assert not AgencyMembership.objects.filter(agency=world.agency, user=admin).exists()
    assert last_event(agency=world.agency).detail["was_admin"] is True


def test_the_last_admin_cannot_be_removed(world):
    admin = world.users["admin"]
    with pytest.raises(ValidationError, match="at least one admin"):
        services.agency_member_remove(actor=admin, agency=world.agency, user=admin)
    assert AgencyMembership.objects.get(agency=world.agency, user=admin).is_admin


def test_it_refuses_to_remove_someone_who_is_not_a_member(world):
    with pytest.raises(ValidationError, match="not a member"):
        services.agency_member_remove(
            actor=world.users["admin"], agency=world.agency, user=world.outsider
        )


# -- brands ----------------------------------------------------------------------------


def test_it_creates_a_brand_with_clean_settings(world):
    admin = world.users["admin"]
    brand = services.brand_create(
        actor=admin,
        agency=world.agency,
        name="  Nova Drinks ",
        timezone_name="Europe/Berlin",
        languages=["EN", " de", "en", ""],
        competitors=[" Fizz ", "", "Pop"],
        description="Soft drinks.",
    )
    assert (brand.name, brand.slug, brand.timezone) == (
        "Nova Drinks",
        "nova-drinks",
        "Europe/Berlin",
    )
    assert brand.languages == ["de", "en"]
    assert brand.competitors == ["Fizz", "Pop"]
    assert brand.agency == world.agency
    event = last_event(agency=world.agency)
    assert (event.action, event.actor, event.brand) == (A.BRAND_CREATED, admin, brand)


def test_it_gives_a_second_brand_of_the_same_name_its_own_slug(world):
    admin = world.users["admin"]
    brand = services.brand_create(actor=admin, agency=world.agency, name="Acme Test")
    assert brand.slug == "acme-test-2"


def test_it_refuses_a_taken_slug_and_an_unknown_time_zone(world):
    admin = world.users["admin"]
    with pytest.raises(ValidationError) as taken:
        services.brand_create(actor=admin, agency=world.agency, name="Other", slug="foreign-co")
    assert "slug" in taken.value.error_dict
    with pytest.raises(ValidationError) as tz:
        services.brand_create(
            actor=admin, agency=world.agency, name="Other", timezone_name="Mars/Olympus"
        )
    assert "timezone" in tz.value.error_dict
    assert not Brand.objects.filter(name="Other").exists()


def test_it_updates_a_brand_and_records_the_changed_fields(world):
    manager = world.users["manager"]
    services.brand_update(
        actor=manager,
        brand=world.brand,
        name="Acme",
        languages=["ZH", "en"],
        description="",
    )
    world.brand.refresh_from_db()
    assert (world.brand.name, world.brand.languages) == ("Acme", ["en", "zh"])
    event = last_event(agency=world.agency)
    assert (event.action, event.actor, event.brand) == (A.BRAND_UPDATED, manager, world.brand)
    # The description did not change, so it is not listed.
    assert event.detail == {"changes": ["name", "languages"]}


def test_it_records_nothing_when_a_brand_is_unchanged(world):
    before = AuditEvent.objects.count()
    services.brand_update(actor=world.users["manager"], brand=world.brand, name="Acme Test")
    assert AuditEvent.objects.count() == before


def test_it_never_changes_a_brands_slug_or_agency(world):
    for field, value in (("slug", "stolen"), ("agency", world.foreign_agency)):
        with pytest.raises(ValueError, match="Not editable"):
            services.brand_update(actor=world.users["admin"], brand=world.brand, **{field: value})
    world.brand.refresh_from_db()
    assert (world.brand.slug, world.brand.agency) == ("acme-test", world.agency)


def test_it_saves_nothing_when_a_brand_update_is_invalid(world):
    with pytest.raises(ValidationError):
        services.brand_update(
            actor=world.users["admin"], brand=world.brand, name="Acme", timezone="Nowhere/Land"
        )
    world.brand.refresh_from_db()
    assert (world.brand.name, world.brand.timezone) == ("Acme Test", "UTC")


def test_it_archives_and_restores_a_brand(world):
    admin = world.users["admin"]
    services.brand_set_archived(actor=admin, brand=world.brand, archived=True)
    world.brand.refresh_from_db()
    assert world.brand.is_archived
    assert (last_event().action, last_event().brand) == (A.BRAND_ARCHIVED, world.brand)
    assert not Brand.objects.for_user(fresh(world.users["client"])).exists()

    services.brand_set_archived(actor=admin, brand=world.brand, archived=False)
    world.brand.refresh_from_db()
    assert not world.brand.is_archived
    assert last_event().action == A.BRAND_RESTORED
    assert Brand.objects.for_user(fresh(world.users["client"])).get() == world.brand


def test_it_records_nothing_when_archiving_an_archived_brand(world):
    admin = world.users["admin"]
    services.brand_set_archived(actor=admin, brand=world.brand, archived=True)
    before = AuditEvent.objects.count()
    services.brand_set_archived(actor=admin, brand=world.brand, archived=True)
    assert AuditEvent.objects.count() == before


# -- roles -----------------------------------------------------------------------------


def test_it_grants_a_role_and_the_person_joins_the_agency(world):
    manager, newcomer = world.users["manager"], world.outsider
    services.membership_set_role(actor=manager, brand=world.brand, user=newcomer, role="analyst")
    assert access.role_for(fresh(newcomer), world.brand) == "analyst"
    joined = AgencyMembership.objects.get(agency=world.agency, user=newcomer)
    assert not joined.is_admin
    event = last_event(agency=world.agency)
    assert (event.action, event.actor, event.brand, event.target_email) == (
        A.ROLE_GRANTED,
        manager,
        world.brand,
        newcomer.email,
    )
    assert event.detail == {"from_role": None, "to_role": "analyst"}


def test_it_changes_a_role(world):
    manager, client = world.users["manager"], world.users["client"]
    services.membership_set_role(actor=manager, brand=world.brand, user=client, role="analyst")
    assert access.role_for(fresh(client), world.brand) == "analyst"
    assert BrandMembership.objects.filter(user=client).count() == 1
    event = last_event(agency=world.agency)
    assert (event.action, event.detail) == (
        A.ROLE_CHANGED,
        {"from_role": "client", "to_role": "analyst"},
    )


def test_it_revokes_a_role_and_keeps_the_agency_membership(world):
    manager, client = world.users["manager"], world.users["client"]
    services.membership_set_role(actor=manager, brand=world.brand, user=client, role=None)
    assert access.role_for(fresh(client), world.brand) is None
    assert AgencyMembership.objects.filter(agency=world.agency, user=client).exists()
    event = last_event(agency=world.agency)
    assert (event.action, event.detail) == (
        A.ROLE_REVOKED,
        {"from_role": "client", "to_role": None},
    )


def test_it_records_nothing_when_the_role_is_unchanged(world):
    before = AuditEvent.objects.count()
    services.membership_set_role(
        actor=None, brand=world.brand, user=world.users["client"], role="client"
    )
    services.membership_set_role(actor=None, brand=world.brand, user=world.outsider, role=None)
    assert AuditEvent.objects.count() == before


def test_it_refuses_an_unknown_role(world):
    for role in ("admin", "owner", ""):
        with pytest.raises(ValidationError) as exc:
            services.membership_set_role(
                actor=None, brand=world.brand, user=world.outsider, role=role
            )
        assert "role" in exc.value.error_dict
    assert not BrandMembership.objects.filter(user=world.outsider).exists()


# -- invitations -----------------------------------------------------------------------


@pytest.fixture
def invite(world, django_capture_on_commit_callbacks):
    """Invite someone as the brand's manager would, and send the email."""

    def invite(email="new.person@example.test", roles=None, is_admin=False, actor=None):
        with django_capture_on_commit_callbacks(execute=True):
            return services.invitation_create(
                actor=actor or world.users["manager"],
                agency=world.agency,
                email=email,
                brand_roles={world.brand: "analyst"} if roles is None else roles,
                is_admin=is_admin,
                base_url=BASE_URL,
            )

    return invite


def test_it_emails_an_invitation_with_a_working_link(world, invite):
    invitation, token = invite(email=" New.Person@Example.TEST")
    assert invitation.email == "new.person@example.test"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new.person@example.test"]
    assert "Alpha Agency" in message.subject
    link = BASE_URL.rstrip("/") + reverse("socialhub:invitation_accept", kwargs={"token": token})
    assert link in message.body
    assert "Acme Test: analyst" in message.body
    assert services.invitation_by_token(token) == invitation
    assert invitation.status == "pending"


def test_it_stores_only_the_hash_of_the_token(world, invite):
    invitation, token = invite()
    invitation.refresh_from_db()
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = Invitation.objects.filter(pk=invitation.pk).values().get()
    assert not any(token in str(value) for value in stored.values())
    assert services.invitation_by_token(invitation.token_hash) is None
    assert services.invitation_by_token(token + "x") is None


def test_it_gives_each_invitation_its_own_token(world, invite):
    _, first = invite(email="one@example.test")
    _, second = invite(email="two@example.test")
    assert first != second


def test_it_expires_an_invitation_after_the_configured_days(world, invite, settings):
    invitation, _ = invite()
    lifetime = invitation.expires_at - invitation.created_at
    assert abs(lifetime - timedelta(days=settings.SOCIALHUB_INVITATION_DAYS)) < timedelta(minutes=1)


def test_it_records_the_invitation(world, invite):
    invitation, _ = invite()
    event = last_event(agency=world.agency)
    assert (event.action, event.actor, event.brand, event.target_email) == (
        A.MEMBER_INVITED,
        world.users["manager"],
        world.brand,
        invitation.email,
    )
    assert event.detail == {"roles": {"Acme Test": "analyst"}, "is_admin": False}


def test_it_refuses_an_invitation_without_a_role_or_admin(world, invite):
    with pytest.raises(ValidationError, match="at least one brand"):
        invite(roles={})
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_it_refuses_a_role_in_another_agencys_brand(world, invite):
    with pytest.raises(ValidationError) as exc:
        invite(roles={world.brand: "client", world.foreign_brand: "manager"})
    assert "brand_roles" in exc.value.error_dict
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_it_refuses_an_unknown_invited_role(world, invite):
    with pytest.raises(ValidationError) as exc:
        invite(roles={world.brand: "admin"})
    assert "brand_roles" in exc.value.error_dict


def test_it_refuses_to_invite_an_existing_admin(world, invite):
    with pytest.raises(ValidationError) as exc:
        invite(email="ADMIN@alpha.test")
    assert "email" in exc.value.error_dict
    assert mail.outbox == []


def test_it_grants_the_invited_roles_on_acceptance(world, invite):
    invitation, _ = invite(roles={world.brand: "analyst", world.sibling: "client"})
    newcomer = UserFactory(email="new.person@example.test")
    brands = services.invitation_accept(invitation=invitation, user=newcomer)
    assert set(brands) == {world.brand, world.sibling}
    newcomer = fresh(newcomer)
    assert access.role_for(newcomer, world.brand) == "analyst"
    assert access.role_for(newcomer, world.sibling) == "client"
    assert not access.is_agency_admin(newcomer, world.agency)
    invitation.refresh_from_db()
    assert invitation.status == "accepted"
    assert invitation.accepted_by == newcomer
    event = last_event(agency=world.agency)
    assert (event.action, event.actor, event.target_email) == (
        A.INVITATION_ACCEPTED,
        newcomer,
        newcomer.email,
    )
    assert event.detail == {
        "roles": {"Acme Test": "analyst", "Sibling Co": "client"},
        "is_admin": False,
    }
    # The roles are granted in the inviter's name.
    granted = AuditEvent.objects.filter(action=A.ROLE_GRANTED, target_email=newcomer.email)
    assert set(granted.values_list("actor", flat=True)) == {world.users["manager"].pk}


def test_it_makes_an_invited_admin_agency_admin(world, invite):
    invitation, _ = invite(roles={}, is_admin=True, actor=world.users["admin"])
    newcomer = UserFactory(email="new.person@example.test")
    services.invitation_accept(invitation=invitation, user=newcomer)
    assert access.role_for(fresh(newcomer), world.sibling) == "admin"


def test_it_verifies_the_invited_address_on_acceptance(world, invite):
    invitation, _ = invite()
    newcomer = UserFactory(email="new.person@example.test", email_verified=False)
    assert not EmailAddress.objects.get(user=newcomer).verified
    services.invitation_accept(invitation=invitation, user=newcomer)
    assert EmailAddress.objects.get(user=newcomer).verified


def test_it_accepts_an_invitation_only_once(world, invite):
    invitation, _ = invite()
    newcomer = UserFactory(email="new.person@example.test")
    services.invitation_accept(invitation=invitation, user=newcomer)
    services.membership_set_role(actor=None, brand=world.brand, user=newcomer, role=None)
    with pytest.raises(ValidationError, match="accepted"):
        services.invitation_accept(invitation=invitation, user=newcomer)
    assert access.role_for(fresh(newcomer), world.brand) is None


def test_it_refuses_an_expired_invitation(world, invite):
    invitation, token = invite()
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert services.invitation_by_token(token).status == "expired"
    newcomer = UserFactory(email="new.person@example.test")
    with pytest.raises(ValidationError, match="expired"):
        services.invitation_accept(invitation=invitation, user=newcomer)
    assert access.role_for(fresh(newcomer), world.brand) is None


def test_it_revokes_a_pending_invitation(world, invite):
    invitation, token = invite()
    admin = world.users["admin"]
    services.invitation_revoke(actor=admin, invitation=invitation)
    assert services.invitation_by_token(token).status == "revoked"
    event = last_event(agency=world.agency)
    assert (event.action, event.actor, event.target_email) == (
        A.INVITATION_REVOKED,
        admin,
        invitation.email,
    )
    newcomer = UserFactory(email="new.person@example.test")
    with pytest.raises(ValidationError, match="revoked"):
        services.invitation_accept(invitation=invitation, user=newcomer)
    assert access.role_for(fresh(newcomer), world.brand) is None


def test_it_refuses_to_revoke_an_invitation_accepted_meanwhile(world, invite):
    # The admin's copy was loaded before the invitee accepted.
    invitation, _ = invite()
    services.invitation_accept(
        invitation=invitation, user=UserFactory(email="new.person@example.test")
    )
    with pytest.raises(ValidationError, match="already accepted"):
        services.invitation_revoke(actor=world.users["admin"], invitation=invitation)
    invitation.refresh_from_db()
    assert invitation.status == "accepted"
    assert invitation.revoked_at is None
    assert last_event(agency=world.agency).action == A.INVITATION_ACCEPTED


def test_someone_else_cannot_accept_an_invitation(world, invite):
    invitation, _ = invite()
    with pytest.raises(ValidationError, match="new.person@example.test"):
        services.invitation_accept(invitation=invitation, user=world.outsider)
    assert access.role_for(fresh(world.outsider), world.brand) is None
    invitation.refresh_from_db()
    assert invitation.status == "pending"


def test_it_matches_the_invited_address_whatever_its_case(world, invite):
    invitation, _ = invite(email="Mixed.Case@Example.test")
    newcomer = UserFactory(email="mixed.case@example.test")
    services.invitation_accept(invitation=invitation, user=newcomer)
    assert access.role_for(fresh(newcomer), world.brand) == "analyst"
