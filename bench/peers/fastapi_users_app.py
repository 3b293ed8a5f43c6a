"""The fastapi-users peer of the benchmarks, built only from fastapi-users' documented public API (its "full example
with SQLAlchemy"): SQLAlchemy async, cookie transport, and the strategy chosen by `FU_STRATEGY` (`database`: the
access-token table of fastapi-users-db-sqlalchemy; `jwt`: JWTStrategy). It runs in its own virtual environment
(bench/run.py builds it outside the repository), so nothing here imports fastapi-betterauth.

Routes: `GET /` (the unauthenticated baseline, as the example app's), `GET /api/auth/ok` (the start-up probe),
`GET /me` (protected, the same JSON as the example app's), fastapi-users' `/auth/register` and
`/auth/cookie/login`, and `GET /bench/sql` (SQL statements counted by an event listener and requests counted by
`counted_app`, the app bench/run.py serves, as in bench/app.py).

Environment: `FU_DATABASE_URL` (async SQLAlchemy URL), `FU_STRATEGY`, `FU_SECRET`.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import Depends, FastAPI
from fastapi_users import BaseUserManager, FastAPIUsers, UUIDIDMixin, schemas
from fastapi_users.authentication import AuthenticationBackend, CookieTransport, JWTStrategy, Strategy
from fastapi_users.authentication.strategy.db import AccessTokenDatabase, DatabaseStrategy
from fastapi_users.db import SQLAlchemyBaseUserTableUUID, SQLAlchemyUserDatabase
from fastapi_users_db_sqlalchemy.access_token import SQLAlchemyAccessTokenDatabase, SQLAlchemyBaseAccessTokenTableUUID
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase
from starlette.types import ASGIApp, Receive, Scope, Send

DATABASE_URL = os.environ["FU_DATABASE_URL"]
STRATEGY = os.environ.get("FU_STRATEGY", "database")
SECRET = os.environ["FU_SECRET"]
LIFETIME = 7 * 24 * 3600  # as fastapi-betterauth's and better-auth's default session


class Base(DeclarativeBase):
    pass


class User(SQLAlchemyBaseUserTableUUID, Base):
    pass


class AccessToken(SQLAlchemyBaseAccessTokenTableUUID, Base):
    pass


class UserRead(schemas.BaseUser[uuid.UUID]):
    pass


class UserCreate(schemas.BaseUserCreate):
    pass


engine = create_async_engine(DATABASE_URL)
async_session_maker = async_sessionmaker(engine, expire_on_commit=False)


class SqlCounter:
    """SQL statements sent through the engine, reads (SELECT) and the rest (writes), and HTTP requests received."""

    def __init__(self) -> None:
        self.statements = 0
        self.writes = 0
        self.requests = 0

    def record(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self.statements += 1
        if statement.lstrip()[:6].upper() != "SELECT":
            self.writes += 1


counter = SqlCounter()
event.listen(engine.sync_engine, "before_cursor_execute", counter.record)


async def get_async_session() -> AsyncIterator[AsyncSession]:
    async with async_session_maker() as session:
        yield session


async def get_user_db(
    session: Annotated[AsyncSession, Depends(get_async_session)],
) -> AsyncIterator[SQLAlchemyUserDatabase[User, uuid.UUID]]:
    yield SQLAlchemyUserDatabase(session, User)


async def get_access_token_db(
    session: Annotated[AsyncSession, Depends(get_async_session)],
) -> AsyncIterator[SQLAlchemyAccessTokenDatabase[AccessToken]]:
    yield SQLAlchemyAccessTokenDatabase(session, AccessToken)


class UserManager(UUIDIDMixin, BaseUserManager[User, uuid.UUID]):
    reset_password_token_secret = SECRET
    verification_token_secret = SECRET


async def get_user_manager(
    user_db: Annotated[SQLAlchemyUserDatabase[User, uuid.UUID], Depends(get_user_db)],
) -> AsyncIterator[UserManager]:
    yield UserManager(user_db)


def get_database_strategy(
    access_token_db: Annotated[AccessTokenDatabase[AccessToken], Depends(get_access_token_db)],
) -> DatabaseStrategy[User, uuid.UUID, AccessToken]:
    return DatabaseStrategy(access_token_db, lifetime_seconds=LIFETIME)


def get_jwt_strategy() -> Strategy[User, uuid.UUID]:
    return JWTStrategy(secret=SECRET, lifetime_seconds=LIFETIME)


auth_backend = AuthenticationBackend(
    name="cookie",
    transport=CookieTransport(cookie_max_age=LIFETIME, cookie_secure=False),
    get_strategy=get_database_strategy if STRATEGY == "database" else get_jwt_strategy,
)
fastapi_users = FastAPIUsers[User, uuid.UUID](get_user_manager, [auth_backend])
current_active_user = fastapi_users.current_user(active=True)


@asynccontextmanager
async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    yield
    await engine.dispose()


app = FastAPI(lifespan=lifespan)
app.include_router(fastapi_users.get_auth_router(auth_backend), prefix="/auth/cookie", tags=["auth"])
app.include_router(fastapi_users.get_register_router(UserRead, UserCreate), prefix="/auth", tags=["auth"])


@app.get("/")
async def index() -> dict[str, str]:
    return {"docs": "/docs", "sign_up": "POST /auth/register", "me": "GET /me"}  # as the example app's


@app.get("/api/auth/ok")
async def ok() -> dict[str, bool]:
    return {"ok": True}


@app.get("/me")
async def me(user: Annotated[User, Depends(current_active_user)]) -> dict[str, Any]:
    return {"id": str(user.id), "email": user.email, "name": None, "emailVerified": user.is_verified}


@app.get("/bench/sql", include_in_schema=False)
async def sql_count() -> dict[str, int]:
    return {"statements": counter.statements, "writes": counter.writes, "requests": counter.requests}


class CountRequests:
    """The app, counting the requests it receives (`/bench/sql` aside)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] != "/bench/sql":
            counter.requests += 1
        await self.app(scope, receive, send)


counted_app = CountRequests(app)
