"""The README is a short front page: its quick start names the commands CI runs, it links every documentation page,
and it has the table of the built-in social providers."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi_betterauth.oauth.config import BUILTIN

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def test_the_readme_is_a_front_page_that_links_every_page() -> None:
    """The README stays short and points at the documentation site's pages, each of which exists (the settings
    reference is generated at build time, docs/hooks/settings_reference.py). Its longest parts are the ones issues
    asked for there: the social providers' table, and the examples of extra fields and of a plugin."""
    assert len(README.splitlines()) < 450
    linked = set(re.findall(r"\]\((docs/[\w/-]+\.md)(?:#[\w-]+)?\)", README))
    pages = {f"docs/{page.relative_to(ROOT / 'docs').as_posix()}" for page in (ROOT / "docs").rglob("*.md")}
    pages -= {"docs/README.md", "docs/design.md"}  # the maintainers' pages, linked from "Development"
    assert sorted(pages - linked) == []
    assert sorted(page for page in linked if not (ROOT / page).is_file()) == []


def test_every_built_in_social_provider_is_in_the_readme_table() -> None:
    rows = set(re.findall(r"^\| `([a-z]+)` \| `\w+` \|", README, flags=re.MULTILINE))
    assert rows == set(BUILTIN)


def test_quick_start_commands_are_what_ci_runs() -> None:
    assert "python3 tasks.py example" in README
    assert "python3 tasks.py test" in README
    ci = (ROOT / ".ci" / "run").read_text()
    assert "python3 tasks.py test" in ci
    assert "REQUIRE_SERVICES=1" in ci


def test_the_quick_start_snippet_imports_only_what_it_uses() -> None:
    snippet = README.split("# app/main.py\n", 1)[1].split("```", 1)[0]
    imports = [line for line in snippet.splitlines() if line.startswith("from fastapi_betterauth import ")]
    [line] = imports
    body = snippet.replace(line, "")
    names = [name.strip() for name in line.removeprefix("from fastapi_betterauth import ").split(",")]
    assert [name for name in names if name not in body] == []


def test_the_status_paragraph_lists_the_built_in_plugins() -> None:
    status = README.split("**Status.**", 1)[1].split("\n\n", 1)[0]
    for feature in (
        "API keys",
        "stateless",
        "two-factor",
        "admin",
        "usernames",
        "magic links",
        "one-time codes",
        "JWT",
        "passkeys",
    ):
        assert feature in status, feature
    assert "Then: API keys" not in status
