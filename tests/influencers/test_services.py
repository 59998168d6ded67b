from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils.timezone import now

from influencers import services
from influencers.models import InfluencerProfile, Relationship
from socialhub.models import AuditEvent
from tests.audit import recorded
from tests.influencers.conftest import days_ago


def test_a_duplicate_handle_is_refused_naming_the_influencer_who_has_it(world, influencer):
    with pytest.raises(ValidationError) as caught:
        services.influencer_create(
            actor=None,
            agency=world.agency,
            name="Copycat",
            profiles=[{"platform": "instagram", "handle": "@NINA"}],
        )
    message = caught.value.message_dict["handle"][0]
    assert "@nina on Instagram is already in the directory: Nina Nano" in message
    assert influencer.get_absolute_url() in message
    # Nothing half-saved: the new influencer went with its refused profile.
    assert not world.agency.influencers.filter(name="Copycat").exists()


def test_the_same_handle_may_be_in_another_agencys_directory(world, influencer):
    other = services.influencer_create(
        actor=None,
        agency=world.foreign_agency,
        name="Nina elsewhere",
        profiles=[{"platform": "instagram", "handle": "nina"}],
    )
    assert other.profiles.count() == 1


def test_a_profile_links_to_the_listening_author_with_its_handle(world, hear):
    hear([("runner", "acme love it", days_ago(1))])
    influencer = services.influencer_create(
        actor=None,
        agency=world.agency,
        name="Runner",
        profiles=[{"platform": "mastodon", "handle": "Runner"}],
    )
    profile = influencer.profiles.get()
    assert profile.author is not None
    assert profile.author.handle == "runner"
    # The follower count comes from listening when none was typed.
    assert profile.followers == 100


def test_a_profile_is_linked_when_its_author_first_appears_on_ingest(world, influencer, hear):
    profile = influencer.profiles.get(platform="mastodon")
    assert profile.author is None
    hear([("nina", "acme love it", days_ago(1))])
    profile.refresh_from_db()
    assert profile.author.handle == "nina"
    # Instagram is not a listening platform: it stays unlinked.
    assert InfluencerProfile.objects.get(platform="instagram").author is None


def test_a_brand_cannot_open_a_relationship_with_another_agencys_influencer(world):
    foreign = services.influencer_create(actor=None, agency=world.foreign_agency, name="Far")
    with pytest.raises(ValidationError) as caught:
        services.relationship_open(actor=None, brand=world.brand, influencer=foreign)
    assert "influencer" in caught.value.message_dict


def test_a_brand_has_one_relationship_per_influencer(world, relationship):
    with pytest.raises(ValidationError) as caught:
        services.relationship_open(
            actor=None, brand=world.brand, influencer=relationship.influencer
        )
    assert "already has a relationship" in caught.value.message_dict["influencer"][0]
    # Another brand of the agency keeps its own.
    other = services.relationship_open(
        actor=None, brand=world.sibling, influencer=relationship.influencer
    )
    assert Relationship.objects.filter(influencer=relationship.influencer).count() == 2
    assert other.stage == "prospect"


def test_the_owner_must_be_on_the_brands_team(world, relationship):
    with pytest.raises(ValidationError) as caught:
        services.relationship_update(
            actor=None, relationship=relationship, owner=world.users["client"]
        )
    assert "owner" in caught.value.message_dict
    services.relationship_update(actor=None, relationship=relationship, owner=world.users["admin"])
    assert relationship.owner == world.users["admin"]


def test_an_interaction_in_the_future_is_refused(world, relationship):
    with pytest.raises(ValidationError) as caught:
        services.interaction_add(
            actor=None,
            relationship=relationship,
            kind="call",
            date=now().date() + timedelta(days=2),
            summary="Planned call",
        )
    assert "date" in caught.value.message_dict
    assert not relationship.interactions.exists()


# -- audit -------------------------------------------------------------------------------


def test_it_audits_opening_a_relationship_and_not_a_second_one(world, influencer):
    with recorded() as events:
        services.relationship_open(
            actor=world.users["manager"], brand=world.brand, influencer=influencer
        )
    with recorded() as refused, pytest.raises(ValidationError):
        services.relationship_open(
            actor=world.users["manager"], brand=world.brand, influencer=influencer
        )

    [event] = events
    assert (event.action, event.actor, event.brand) == (
        AuditEvent.Action.RELATIONSHIP_OPENED,
        world.users["manager"],
        world.brand,
    )
    assert event.detail == {"name": "Nina Nano", "field": "stage", "to": "prospect"}
    assert refused == []


def test_it_audits_a_stage_change_from_and_to(world, relationship):
    with recorded() as events:
        services.relationship_move(
            actor=world.users["analyst"], relationship=relationship, stage="at_risk"
        )

    [event] = events
    assert (event.action, event.actor, event.brand) == (
        AuditEvent.Action.RELATIONSHIP_STAGE_CHANGED,
        world.users["analyst"],
        world.brand,
    )
    assert event.detail == {
        "name": "Nina Nano",
        "field": "stage",
        "from": "prospect",
        "to": "at_risk",
    }
    assert event.summary == "relationship “Nina Nano” in Acme Test: stage prospect → at risk"


def test_a_move_to_the_same_or_an_unknown_stage_audits_nothing(world, relationship):
    with recorded() as events:
        services.relationship_move(
            actor=world.users["analyst"], relationship=relationship, stage="prospect"
        )
        with pytest.raises(ValidationError):
            services.relationship_move(
                actor=world.users["analyst"], relationship=relationship, stage="friends"
            )

    assert events == []


def test_it_audits_a_new_owner_by_name_and_not_a_new_next_step(world, relationship):
    analyst = world.users["analyst"]
    manager = world.users["manager"]

    with recorded() as next_step:
        services.relationship_update(
            actor=manager, relationship=relationship, owner=manager, next_step="Call her"
        )
    with recorded() as events:
        services.relationship_update(actor=manager, relationship=relationship, owner=analyst)

    assert next_step == []
    [event] = events
    assert (event.action, event.actor) == (AuditEvent.Action.RELATIONSHIP_OWNER_CHANGED, manager)
    assert event.detail == {
        "name": "Nina Nano",
        "field": "owner",
        "from": manager.display_name,
        "to": analyst.display_name,
    }


def test_a_refused_owner_leaves_no_audit_row(world, relationship):
    with recorded() as events, pytest.raises(ValidationError):
        services.relationship_update(
            actor=world.users["manager"], relationship=relationship, owner=world.users["client"]
        )

    assert events == []


def test_it_audits_deleting_a_relationship(world, relationship):
    with recorded() as events:
        services.relationship_delete(actor=world.users["manager"], relationship=relationship)

    [event] = events
    assert (event.action, event.actor, event.brand) == (
        AuditEvent.Action.RELATIONSHIP_DELETED,
        world.users["manager"],
        world.brand,
    )
    assert event.summary == "relationship “Nina Nano” in Acme Test"
    assert not Relationship.objects.exists()


def test_it_audits_an_interaction_by_its_kind_and_date_never_what_was_said(world, relationship):
    day = now().date() - timedelta(days=1)

    with recorded() as events:
        services.interaction_add(
            actor=world.users["analyst"],
            relationship=relationship,
            kind="call",
            date=day,
            summary="She asked about the fee.",
            outcome="Sends her rates",
        )
    with recorded() as refused, pytest.raises(ValidationError):
        services.interaction_add(
            actor=world.users["analyst"],
            relationship=relationship,
            kind="call",
            date=day,
            summary=" ",
        )

    [event] = events
    assert (event.action, event.actor, event.brand) == (
        AuditEvent.Action.INTERACTION_LOGGED,
        world.users["analyst"],
        world.brand,
    )
    assert event.detail == {"name": "Nina Nano", "kind": "call", "date": day.isoformat()}
    assert event.summary == f"call interaction “Nina Nano” of {day.isoformat()} in Acme Test"
    assert refused == []


# -- audit: the agency's directory -------------------------------------------------------


def test_it_audits_the_directory_for_the_agency_without_a_brand(world):
    analyst = world.users["analyst"]
    with recorded() as created:
        influencer = services.influencer_create(
            actor=analyst,
            agency=world.agency,
            name="Nina Nano",
            profiles=[{"platform": "instagram", "handle": "nina"}],
        )
    with recorded() as updated:
        services.influencer_update(
            actor=analyst, influencer=influencer, name=" Nina Nano ", region="Berlin", tags="vegan"
        )
    with recorded() as deleted:
        services.influencer_delete(actor=world.users["admin"], influencer=influencer)

    events = created + updated + deleted
    assert [(e.action, e.actor, e.agency, e.brand) for e in events] == [
        (AuditEvent.Action.INFLUENCER_CREATED, analyst, world.agency, None),
        (AuditEvent.Action.INFLUENCER_UPDATED, analyst, world.agency, None),
        (AuditEvent.Action.INFLUENCER_DELETED, world.users["admin"], world.agency, None),
    ]
    assert created[0].summary == "influencer “Nina Nano”"
    assert updated[0].detail == {"name": "Nina Nano", "changes": ["region", "tags"]}
    assert updated[0].summary == "influencer “Nina Nano”: changed region, tags"
    assert deleted[0].summary == "influencer “Nina Nano”"


def test_an_unchanged_or_refused_directory_write_audits_nothing(world, influencer):
    with recorded() as events:
        services.influencer_update(
            actor=world.users["analyst"],
            influencer=influencer,
            name="Nina Nano",
            tags="vegan, outdoor",
        )
        with pytest.raises(ValidationError):
            services.influencer_update(
                actor=world.users["analyst"], influencer=influencer, name=" "
            )
        with pytest.raises(ValidationError):
            services.influencer_create(
                actor=world.users["analyst"],
                agency=world.agency,
                name="Copycat",
                profiles=[{"platform": "instagram", "handle": "nina"}],
            )

    assert events == []
