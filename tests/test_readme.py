"""The README documents every setting, and its quick start names the commands CI runs."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from fastapi_betterauth import AuthSettings
from fastapi_betterauth.plugins.registry import BUILT_IN, built_in

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def _env_names(model: type[BaseModel], prefix: str) -> list[str]:
    names = []
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            names += _env_names(annotation, f"{prefix}{name.upper()}__")
        else:
            names.append(f"{prefix}{name.upper()}")
    return names


def test_every_setting_is_documented() -> None:
    missing = [name for name in _env_names(AuthSettings, "BETTER_AUTH_") if name not in README]
    # Top-level fields with their own well-known names (DATABASE_URL) are listed under those.
    missing = [name for name in missing if name != "BETTER_AUTH_DATABASE_URL" or "DATABASE_URL" not in README]
    assert missing == []


def test_every_option_of_a_built_in_plugin_is_documented() -> None:
    for plugin_id in BUILT_IN:
        prefix = f"BETTER_AUTH_PLUGINS__{plugin_id.upper()}__"
        names = _env_names(built_in(plugin_id).options_model, prefix)
        assert [name for name in names if name not in README] == [], plugin_id


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
