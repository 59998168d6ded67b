"""Fixtures of the API tests: API clients signed in as the world's people."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from socialhub.models import User


@pytest.fixture
def api(world) -> Callable[[str | User], APIClient]:
    """``api("manager")``: an API client signed in (with a session) as a role's user,
    or as any user."""

    def client_for(who: str | User) -> APIClient:
        user = world.users[who] if isinstance(who, str) else who
        client = APIClient()
        client.force_login(user)
        return client

    return client_for
