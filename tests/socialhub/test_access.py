"""socialhub.access: the capability table row by row, roles, scoped querysets, the brand
and agency from the URL, and the guards on the view bases."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404
from django.views.generic import ListView

from socialhub import access, services
from socialhub.models import Agency, AuditEvent, Brand, BrandMembership
from tests.factories import BrandFactory, UserFactory, grant

ROLES = ("admin", "manager", "analyst", "client")

# The table as the product describes it, written out by hand so that a change to
# access.CAPABILITY_TABLE has to be made twice: there and here.
#                         admin  manager analyst client
EXPECTED: dict[str, tuple[bool, bool, bool, bool]] = {
    "brand.view":          (True,  True,   True,   True),
    "brand.edit":          (True,  True,   False,  False),
    "brand.archive":       (True,  False,  False,  False),
    "members.view":        (True,  True,   True,   True),
    "members.manage":      (True,  True,   False,  False),
    "listening.configure": (True,  True,   True,   False),
    "mentions.triage":     (True,  True,   True,   False),
    "reports.view":        (True,  True,   True,   True),
    "campaigns.manage":    (True,  True,   False,  False),
    "content.draft":       (True,  True,   True,   False),
    "content.approve":     (True,  True,   False,  True),
    "content.comment":     (True,  True,   True,   True),
    "influencers.edit":    (True,  True,   True,   False),
}  # fmt: skip

CELLS = [
    (role, capability, allowed)
    for capability, row in EXPECTED.items()
    for role, allowed in zip(ROLES, row, strict=True)
]


def expected_capabilities(role: str) -> frozenset[str]:
    return frozenset(cap for cap, row in EXPECTED.items() if row[ROLES.index(role)])


# -- the table -------------------------------------------------------------------------


def test_it_tests_exactly_the_capabilities_in_the_table():
    # A capability added to (or dropped from) access.py fails here until this file says
    # who holds it.
    assert set(EXPECTED) == set(access.CAPABILITY_TABLE)
    assert set(access.CAPABILITIES) == set(access.CAPABILITY_TABLE)


def test_it_knows_exactly_the_four_roles():
    assert set(access.ROLES) == set(ROLES)
    assert all(roles <= set(ROLES) for roles in access.CAPABILITY_TABLE.values())


@pytest.mark.parametrize(
    ("role", "capability", "allowed"),
    CELLS,
    ids=[f"{role}-{cap}-{'yes' if ok else 'no'}" for role, cap, ok in CELLS],
)
def test_it_grants_each_role_exactly_its_row(world, role, capability, allowed):
    assert access.can(world.users[role], capability, world.brand) is allowed


@pytest.mark.parametrize("role", ROLES)
def test_it_lists_each_roles_capabilities_for_the_templates(role):
    assert access.capabilities_of(role) == expected_capabilities(role)


def test_it_lists_no_capabilities_without_a_role():
    assert access.capabilities_of(None) == frozenset()


@pytest.mark.parametrize("capability", sorted(EXPECTED))
def test_outsider_and_foreign_people_cannot_do_anything_in_the_brand(world, capability):
    for user in (world.outsider, world.foreign_admin, world.foreign_manager, AnonymousUser()):
        assert access.can(user, capability, world.brand) is False, user


@pytest.mark.parametrize("capability", sorted(EXPECTED))
def test_brand_roles_cannot_do_anything_in_a_sibling_or_foreign_brand(world, capability):
    for role in ("manager", "analyst", "client"):
        user = world.users[role]
        assert access.can(user, capability, world.sibling) is False, role
        assert access.can(user, capability, world.foreign_brand) is False, role


@pytest.mark.parametrize("capability", sorted(EXPECTED))
def test_it_gives_the_agency_admin_every_capability_in_every_agency_brand(world, capability):
    admin = world.users["admin"]
    assert access.can(admin, capability, world.sibling) is True
    assert access.can(admin, capability, world.foreign_brand) is False


def test_it_refuses_an_unknown_capability(world):
    with pytest.raises(ImproperlyConfigured, match="brand.delete"):
        access.can(world.users["admin"], "brand.delete", world.brand)
    with pytest.raises(ImproperlyConfigured):
        access.can(AnonymousUser(), "brand.delete", world.brand)


def test_deactivated_user_cannot_do_anything(world):
    manager = world.users["manager"]
    manager.is_active = False
    manager.save()
    assert access.role_for(manager, world.brand) is None
    assert not access.can(manager, "brand.view", world.brand)
    assert not Brand.objects.for_user(manager).exists()


# -- roles -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_it_tells_each_users_role(world, role):
    assert access.role_for(world.users[role], world.brand) == role


def test_it_gives_no_role_to_outsiders_and_foreign_people(world):
    for user in (world.outsider, world.foreign_admin, world.foreign_manager, AnonymousUser()):
        assert access.role_for(user, world.brand) is None


def test_it_gives_the_admin_every_brand_of_their_agency_only(world):
    admin = world.users["admin"]
    assert access.role_for(admin, world.sibling) == "admin"
    assert access.role_for(admin, world.foreign_brand) is None
    assert access.role_for(world.foreign_admin, world.foreign_brand) == "admin"


def test_it_lets_an_admin_role_win_over_a_brand_role(world):
    manager = world.users["manager"]
    services.agency_set_admin(
        actor=world.users["admin"], agency=world.agency, user=manager, is_admin=True
    )
    assert access.role_for(manager, world.brand) == "admin"
    assert access.can(manager, "brand.archive", world.brand)


def test_it_sees_a_role_change_made_through_a_service(world):
    analyst = world.users["analyst"]
    assert access.role_for(analyst, world.brand) == "analyst"
    services.membership_set_role(
        actor=world.users["admin"], brand=world.brand, user=analyst, role="manager"
    )
    assert access.role_for(analyst, world.brand) == "manager"
    assert access.can(analyst, "members.manage", world.brand)


def test_it_knows_who_administers_an_agency(world):
    assert access.is_agency_admin(world.users["admin"], world.agency)
    assert not access.is_agency_admin(world.users["manager"], world.agency)
    assert not access.is_agency_admin(world.foreign_admin, world.agency)
    assert not access.is_agency_admin(AnonymousUser(), world.agency)


# -- archived brands -------------------------------------------------------------------


@pytest.fixture
def archived(world) -> Brand:
    return services.brand_set_archived(actor=world.users["admin"], brand=world.brand, archived=True)


def test_it_shows_an_archived_brand_to_the_agency_admin_only(world, archived):
    admin = world.users["admin"]
    assert access.role_for(admin, archived) == "admin"
    assert Brand.objects.for_user(admin).filter(pk=archived.pk).exists()
    assert access.get_brand_for_user(admin, archived.slug) == archived
    for role in ("manager", "analyst", "client"):
        # A fresh object: nothing cached from before the archiving.
        user = type(world.users[role]).objects.get(pk=world.users[role].pk)
        assert access.role_for(user, archived) is None, role
        assert not access.can(user, "brand.view", archived), role
        assert not Brand.objects.for_user(user).filter(pk=archived.pk).exists(), role
        with pytest.raises(Http404):
            access.get_brand_for_user(user, archived.slug)


def test_it_hides_the_rows_of_an_archived_brand_from_its_members(world, archived):
    manager = world.users["manager"]
    assert not BrandMembership.objects.for_user(manager).exists()
    assert not AuditEvent.objects.for_user(manager).exists()
    assert BrandMembership.objects.for_user(world.users["admin"]).filter(brand=archived).exists()


def test_it_shows_a_restored_brand_to_its_members_again(world, archived):
    services.brand_set_archived(actor=world.users["admin"], brand=archived, archived=False)
    manager = type(world.users["manager"]).objects.get(pk=world.users["manager"].pk)
    assert access.get_brand_for_user(manager, world.brand.slug) == world.brand


# -- querysets -------------------------------------------------------------------------


def slugs(qs) -> set[str]:
    return set(qs.values_list("slug", flat=True))


def test_it_lists_the_brands_each_user_holds(world):
    assert slugs(Brand.objects.for_user(world.users["admin"])) == {"acme-test", "sibling-co"}
    for role in ("manager", "analyst", "client"):
        assert slugs(Brand.objects.for_user(world.users[role])) == {"acme-test"}, role
    assert slugs(Brand.objects.for_user(world.foreign_admin)) == {"foreign-co", "far-away"}
    assert slugs(Brand.objects.for_user(world.foreign_manager)) == {"foreign-co"}
    assert slugs(Brand.objects.for_user(world.outsider)) == set()
    assert slugs(Brand.objects.for_user(AnonymousUser())) == set()


def test_it_lists_a_brand_once_for_an_admin_who_also_holds_a_role_in_it(world):
    admin = world.users["admin"]
    grant(admin, world.brand, "analyst")
    assert (
        list(Brand.objects.for_user(admin).values_list("slug", flat=True)).count("acme-test") == 1
    )


def test_it_lists_the_memberships_of_the_users_brands_only(world):
    sibling_member = grant(UserFactory(), world.sibling, "client")
    foreign_member = world.foreign_manager
    in_brand = {world.users[r] for r in ("manager", "analyst", "client")}

    def members(user):
        return {m.user for m in BrandMembership.objects.for_user(user)}

    assert members(world.users["admin"]) == in_brand | {sibling_member}
    for role in ("manager", "analyst", "client"):
        assert members(world.users[role]) == in_brand, role
    assert members(world.foreign_admin) == {foreign_member}
    assert members(world.outsider) == set()
    assert members(AnonymousUser()) == set()


def test_it_lists_the_audit_events_of_the_users_brands_only(world):
    admin = world.users["admin"]
    manager = world.users["manager"]
    events = AuditEvent.objects.for_user(manager)
    assert events.exists()
    assert set(events.values_list("brand_id", flat=True)) == {world.brand.pk}
    # The admin also sees the sibling brand's rows; nobody sees another agency's.
    assert set(AuditEvent.objects.for_user(admin).values_list("brand_id", flat=True)) == {
        world.brand.pk,
        world.sibling.pk,
    }
    assert not AuditEvent.objects.for_user(world.outsider).exists()
    assert not AuditEvent.objects.for_user(world.foreign_admin).filter(agency=world.agency)


def test_it_lists_the_agencies_a_user_belongs_to(world):
    def names(qs):
        return set(qs.values_list("name", flat=True))

    for role in ROLES:
        assert names(Agency.objects.for_user(world.users[role])) == {"Alpha Agency"}, role
    assert names(Agency.objects.for_user(world.foreign_admin)) == {"Beta Agency"}
    assert names(Agency.objects.for_user(world.outsider)) == set()
    assert names(Agency.objects.for_user(AnonymousUser())) == set()


def test_it_lists_the_agencies_a_user_administers(world):
    assert list(Agency.objects.administered_by(world.users["admin"])) == [world.agency]
    assert list(Agency.objects.administered_by(world.foreign_admin)) == [world.foreign_agency]
    for role in ("manager", "analyst", "client"):
        assert not Agency.objects.administered_by(world.users[role]).exists(), role
    assert not Agency.objects.administered_by(world.outsider).exists()
    assert not Agency.objects.administered_by(AnonymousUser()).exists()


# -- from the URL ----------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_it_finds_the_brand_in_the_url_for_each_role(world, role):
    assert access.get_brand_for_user(world.users[role], "acme-test") == world.brand


def test_it_answers_404_alike_for_an_unknown_and_a_forbidden_brand(world):
    manager = world.users["manager"]
    with pytest.raises(Http404) as unknown:
        access.get_brand_for_user(manager, "no-such-brand")
    for slug in ("sibling-co", "foreign-co"):
        with pytest.raises(Http404) as forbidden:
            access.get_brand_for_user(manager, slug)
        assert str(forbidden.value) == str(unknown.value)


def test_outsiders_cannot_get_any_brand_from_the_url(world):
    for user in (world.outsider, world.foreign_admin, world.foreign_manager, AnonymousUser()):
        with pytest.raises(Http404):
            access.get_brand_for_user(user, "acme-test")


def test_it_finds_the_agency_in_the_url_for_its_admin_only(world):
    assert access.get_agency_for_admin(world.users["admin"], world.agency.slug) == world.agency
    with pytest.raises(Http404) as unknown:
        access.get_agency_for_admin(world.users["admin"], "no-such-agency")
    for user in (
        world.users["manager"],
        world.users["client"],
        world.foreign_admin,
        world.outsider,
        AnonymousUser(),
    ):
        with pytest.raises(Http404) as forbidden:
            access.get_agency_for_admin(user, world.agency.slug)
        assert str(forbidden.value) == str(unknown.value)


# -- the view bases --------------------------------------------------------------------

SEALED_BASES = {
    "BrandViewMixin": lambda: (access.BrandViewMixin, ListView),
    "AgencyAdminMixin": lambda: (access.AgencyAdminMixin, ListView),
    "BrandViewSet": lambda: (access.BrandViewSet,),
}


@pytest.mark.parametrize("method", ["get_queryset", "get_object"])
@pytest.mark.parametrize("base", sorted(SEALED_BASES))
def test_it_refuses_a_subclass_that_replaces_scoping(base, method):
    bases = SEALED_BASES[base]()
    with pytest.raises(TypeError, match=method):
        type("Replacing", bases, {method: lambda self: None, "__module__": __name__})


@pytest.mark.parametrize("base", sorted(SEALED_BASES))
def test_it_refuses_a_grandchild_that_replaces_scoping(base):
    child = type("Child", SEALED_BASES[base](), {"__module__": __name__})
    with pytest.raises(TypeError, match="scope_queryset"):
        type("Grandchild", (child,), {"get_queryset": lambda self: None, "__module__": __name__})


@pytest.mark.parametrize("base", sorted(SEALED_BASES))
def test_a_subclass_cannot_opt_out_by_calling_itself_a_base(base):
    attrs = {"_scoping_base": True, "get_queryset": lambda self: None, "__module__": __name__}
    with pytest.raises(TypeError, match="get_queryset"):
        type("Sneaky", SEALED_BASES[base](), attrs)


@pytest.mark.parametrize("base", sorted(SEALED_BASES))
def test_it_lets_a_subclass_narrow_with_scope_queryset(base):
    narrowed = type(
        "Narrowed", SEALED_BASES[base](), {"scope_queryset": lambda self, qs: qs.none()}
    )
    assert "scope_queryset" in narrowed.__dict__


def test_it_maps_methods_to_capabilities_on_a_page():
    page = type(
        "Page",
        (access.BrandViewMixin, ListView),
        {"required_capability": {"GET": "members.view", "POST": "members.manage"}},
    )
    assert page.capability_for("GET") == "members.view"
    assert page.capability_for("HEAD") == "members.view"
    assert page.capability_for("POST") == "members.manage"
    assert page.capability_for("DELETE") is None
    single = type(
        "Single", (access.BrandViewMixin, ListView), {"required_capability": "brand.view"}
    )
    assert single.capability_for("POST") == "brand.view"


def test_it_maps_api_actions_to_capabilities():
    viewset = type(
        "Endpoint",
        (access.BrandViewSet,),
        {"capabilities": {"list": "members.view", "create": "members.manage"}},
    )
    actions = {"get": "list", "post": "create", "delete": "destroy"}
    assert viewset.capability_for("GET", actions) == "members.view"
    assert viewset.capability_for("HEAD", actions) == "members.view"
    assert viewset.capability_for("POST", actions) == "members.manage"
    # An action without a capability is refused, never allowed by default.
    assert viewset.capability_for("DELETE", actions) is None
    assert viewset.capability_for("PUT", actions) is None


def test_it_hides_a_new_brand_of_another_agency_from_this_agencys_admin(world):
    late = BrandFactory(agency=world.foreign_agency, name="Late Co")
    assert not Brand.objects.for_user(world.users["admin"]).filter(pk=late.pk).exists()
