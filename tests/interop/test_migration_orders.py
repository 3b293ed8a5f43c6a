"""A database migrated by either side first: the other side's migrator adopts it or finds nothing to do, and both
apps then work on it (the behaviour tests of this folder run on both orders)."""

from __future__ import annotations

import pytest

from fastapi_betterauth.db.migrate import ADOPTED_REVISION, VERSION_TABLE

from ..test_migrations import schema_diff
from .conftest import Interop
from .support import execute

pytestmark = pytest.mark.postgres


def test_better_auths_migrator_finds_nothing_to_do_on_a_database_migrated_here(interop: Interop) -> None:
    plan = interop.node_plans["ours-first"]
    assert plan["toBeCreated"] == []
    assert plan["toBeAdded"] == []
    assert plan["toBeAddedIndexes"] == []
    assert plan["schemaProblems"] == []
    assert plan["sql"] == ""


def test_better_auths_migrator_made_the_whole_schema_of_the_node_first_database(interop: Interop) -> None:
    """Guards the test above: on an empty database the same migrator did create everything."""
    plan = interop.node_plans["node-first"]
    assert plan["toBeCreated"] == [
        *("user", "session", "account", "verification", "apikey", "twoFactor", "jwks"),
        *("organization", "team", "teamMember", "member", "invitation"),
        "passkey",
    ]


async def test_a_database_better_auth_migrated_first_is_adopted_at_start_up(interop: Interop) -> None:
    assert interop.adoption.adopted
    assert interop.adoption.created == ("table rateLimit",)
    rows = await execute(interop.databases["node-first"], f"SELECT version_num FROM {VERSION_TABLE}")
    assert [row["version_num"] for row in rows] == [ADOPTED_REVISION]


def test_after_adoption_the_schema_is_exactly_ours(interop: Interop) -> None:
    """Exactly the models, and the plugins' columns, which are no columns of the core models: the two-factor
    plugin's `user.twoFactorEnabled`, the organization plugin's `session.activeOrganizationId` and `activeTeamId`."""
    plugin_columns = {
        ("remove_column", "user", "twoFactorEnabled"),
        ("remove_column", "session", "activeOrganizationId"),
        ("remove_column", "session", "activeTeamId"),
    }
    for order in ("node-first", "ours-first"):
        changes = schema_diff(interop.url(order))
        assert [change for change in changes if (change[0], change[2], change[3].name) not in plugin_columns] == []
        assert len(changes) == 3, changes
