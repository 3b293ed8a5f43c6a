from __future__ import annotations

from pathlib import Path

from sqlalchemy.pool import NullPool, QueuePool, StaticPool

from fastapi_betterauth.db.engine import POOL_SIZE, Database


async def test_file_databases_keep_a_pool_big_enough_for_concurrent_requests(tmp_path: Path) -> None:
    # SQLAlchemy's default (5) makes every request past the 5th concurrent one open and close a connection.
    database = Database(f"sqlite+aiosqlite:///{tmp_path}/a.db")
    assert isinstance(database.engine.pool, QueuePool)
    assert database.engine.pool.size() == POOL_SIZE >= 16
    await database.dispose()


async def test_pool_options_given_in_code_win(tmp_path: Path) -> None:
    sized = Database(f"sqlite+aiosqlite:///{tmp_path}/a.db", pool_size=3)
    assert isinstance(sized.engine.pool, QueuePool)
    assert sized.engine.pool.size() == 3
    unpooled = Database(f"sqlite+aiosqlite:///{tmp_path}/b.db", poolclass=NullPool)
    assert isinstance(unpooled.engine.pool, NullPool)
    memory = Database("sqlite+aiosqlite://")
    assert isinstance(memory.engine.pool, StaticPool)
    for database in (sized, unpooled, memory):
        await database.dispose()
