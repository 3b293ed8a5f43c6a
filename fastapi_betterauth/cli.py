"""`python -m fastapi_betterauth`: generate a secret, create or upgrade the schema."""

from __future__ import annotations

import argparse
import secrets
import sys

from .db import migrate
from .settings import AuthSettings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m fastapi_betterauth", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("secret", help="print a new random BETTER_AUTH_SECRET")
    upgrade = commands.add_parser("migrate", help="create or upgrade the auth tables (alembic upgrade head)")
    upgrade.add_argument("--database-url", help="default: DATABASE_URL / BETTER_AUTH_DATABASE_URL, else SQLite")
    upgrade.add_argument("--revision", default="head")
    args = parser.parse_args(argv)

    if args.command == "secret":
        print(secrets.token_urlsafe(48))
    elif args.command == "migrate":
        url = args.database_url or AuthSettings().database_url
        migrate.upgrade(url, args.revision)
        print(f"schema at {args.revision} on {url.split('@')[-1]}", file=sys.stderr)
    return 0
