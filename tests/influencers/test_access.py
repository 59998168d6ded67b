"""The directory's access rule, ``socialhub.access.can_use_directory``, row by row."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils.timezone import now

from influencers.models import Influencer
from socialhub import access
from tests.factories import UserFactory, grant


@pytest.mark.parametrize(
    ("who", "own_agency", "foreign_agency"),
    [
        ("admin", True, False),  # the agency's admin
        ("manager", True, False),  # staff of one of its brands
        ("analyst", True, False),  # staff of one of its brands
        ("client", False, False),  # clients never see the directory
        ("outsider", False, False),
        ("foreign_admin", False, True),
        ("foreign_manager", False, True),
        ("anonymous", False, False),
    ],
)
def test_who_may_use_which_directory(world, who, own_agency, foreign_agency):
    user = {
        "outsider": world.outsider,
        "foreign_admin": world.foreign_admin,
        "foreign_manager": world.foreign_manager,
        "anonymous": AnonymousUser(),
    }.get(who) or world.users[who]
    assert access.can_use_directory(user, world.agency) is own_agency
    assert access.can_use_directory(user, world.foreign_agency) is foreign_agency


def test_staff_of_an_archived_brand_only_lose_the_directory(world, influencer):
    analyst = grant(UserFactory(), world.sibling, "analyst")
    assert list(Influencer.objects.for_user(analyst)) == [influencer]
    world.sibling.archived_at = now()
    world.sibling.save()
    assert not access.can_use_directory(analyst, world.agency)
    assert not Influencer.objects.for_user(analyst).exists()
