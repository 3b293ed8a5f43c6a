"""Every documentation page's snippets run as written (docs/README.md: "Snippets are tests")."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from fastapi_betterauth import AuthSettings
from fastapi_betterauth.db.migrate import upgrade
from fastapi_betterauth.plugins.registry import BUILT_IN, built_in

from ..conftest import TEST_SECRET
from .snippets import DOCS, ROOT, Block, blocks, pages, run_python, run_shell, runnable_shell


def _reference() -> ModuleType:
    spec = importlib.util.spec_from_file_location("settings_reference", DOCS / "hooks" / "settings_reference.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


REFERENCE = _reference()


def known_env_names() -> set[str]:
    # `plugins` itself is no option: its keys are the plugins', whose options follow.
    names = {name for option in REFERENCE.options(AuthSettings) if option.path != "plugins" for name in option.env}
    for plugin_id in BUILT_IN:
        prefix = f"BETTER_AUTH_PLUGINS__{plugin_id.upper()}__"
        names |= {
            name for option in REFERENCE.options(built_in(plugin_id).options_model, "", prefix) for name in option.env
        }
    return names


KNOWN = known_env_names()


def check_settings(block: Block, assigned: dict[str, str]) -> None:
    """The `BETTER_AUTH_*` variables a shell block set name real settings, and the settings they make validate
    (plugin options included)."""
    for name in assigned:
        if not name.startswith("BETTER_AUTH_") and name not in KNOWN:
            continue
        parents = [known for known in KNOWN if name.startswith(f"{known}__")]
        assert name in KNOWN or parents, f"{block.where}: {name} is no setting"
    settings = AuthSettings()
    for plugin_id in settings.plugins:
        if plugin_id in BUILT_IN:
            built_in(plugin_id)().resolve_options(settings)


@pytest.fixture(scope="module")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file with the core's schema, migrated once; each page gets a copy."""
    path = tmp_path_factory.mktemp("docs-db") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def page_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, migrated_sqlite: Path) -> Path:
    """A page's working directory, on `sys.path`, with a secret and a migrated SQLite database in the environment.
    Modules the page wrote there are forgotten afterwards."""
    import os

    for name in list(os.environ):
        if name.startswith("BETTER_AUTH_") or name in ("DATABASE_URL", "AUTH_SECRET"):
            monkeypatch.delenv(name)
    shutil.copy(migrated_sqlite, tmp_path / "app.db")
    monkeypatch.setenv("BETTER_AUTH_SECRET", TEST_SECRET)
    monkeypatch.setenv("BETTER_AUTH_ENVIRONMENT", "test")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'app.db'}")
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    before = set(sys.modules)
    environment = dict(os.environ)
    yield tmp_path
    os.environ.clear()  # what a page's own code set
    os.environ.update(environment)
    for name in set(sys.modules) - before:
        module_file = getattr(sys.modules[name], "__file__", None) or ""
        if module_file.startswith(str(tmp_path)):
            del sys.modules[name]


async def run_page(page: str, workdir: Path, monkeypatch: pytest.MonkeyPatch, text: str | None = None) -> int:
    """Run a page's snippets in order; answer how many ran."""
    namespace: dict[str, Any] = {"__name__": f"docs.{page}"}
    ran = 0
    for block in blocks(page, text):
        if block.skipped:
            continue
        if block.lang == "python":
            await run_python(block, namespace, workdir)
            ran += 1
        elif runnable_shell(block):
            assigned = run_shell(block, workdir)
            for name, value in assigned.items():
                monkeypatch.setenv(name, value)
            check_settings(block, assigned)
            ran += 1
    return ran


@pytest.mark.parametrize("page", pages())
async def test_page_snippets_run(page: str, page_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    await run_page(page, page_env, monkeypatch)


README_EXAMPLES = {"Extra user fields": 3, "Writing a plugin": 2}
"""The README's sections with running examples, and how many snippets each runs."""


def readme_section(title: str) -> str:
    text = (ROOT / "README.md").read_text()
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end]


@pytest.mark.parametrize("title", README_EXAMPLES)
async def test_the_readme_examples_run(title: str, page_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The README's own examples of extra fields and of a plugin run as written, with their hidden checks."""
    assert await run_page("README.md", page_env, monkeypatch, text=readme_section(title)) == README_EXAMPLES[title]


async def test_the_generated_settings_page_snippets_run(page_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert await run_page(REFERENCE.PAGE, page_env, monkeypatch, text=REFERENCE.render()) == 2


def test_every_setting_is_in_the_generated_reference() -> None:
    """The reference lists every environment name the settings and the built-in plugins' options have, and says
    what each option means."""
    page = REFERENCE.render()
    assert sorted(name for name in KNOWN if f"`{name}`" not in page) == []
    described = [option for option in REFERENCE.options(AuthSettings) if option.path != "plugins"]
    for plugin_id in BUILT_IN:
        described += REFERENCE.options(built_in(plugin_id).options_model, f"plugins.{plugin_id}.", "")
    assert [option.path for option in described if option.description.strip() in ("", REFERENCE.NONE)] == []
    assert "BETTER_AUTH_SESSION__COOKIE_CACHE__STRATEGY" in KNOWN
    assert "BETTER_AUTH_PLUGINS__API_KEY__INVALID_KEYS__WINDOW" in KNOWN
