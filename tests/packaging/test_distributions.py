"""The sdist and wheel hold what users need: the Alembic chain inside the package (where `migrate` looks for it in an
installed copy), py.typed, the data files and the license (README "Development": the packaging check)."""

from __future__ import annotations

import importlib.util
import sys
import zipfile
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load_script() -> ModuleType:
    """scripts/check_package.py, the packaging check `python3 tasks.py test` runs (not an importable package)."""
    spec = importlib.util.spec_from_file_location("check_package", ROOT / "scripts" / "check_package.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["check_package"] = module
    spec.loader.exec_module(module)
    return module


check = _load_script()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    wheel, sdist = check.build(tmp_path_factory.mktemp("dist"))
    return wheel, sdist


@pytest.mark.slow
def test_the_built_distributions_hold_migrations_types_and_license(built: tuple[Path, Path]) -> None:
    wheel, sdist = built
    assert wheel.name.startswith("fastapi_betterauth_kit-")
    check.check_contents(wheel, sdist)
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata = next(archive.read(n).decode() for n in names if n.endswith(".dist-info/METADATA"))
    assert "Name: fastapi-betterauth-kit" in metadata
    assert any(name.startswith("fastapi_betterauth/migrations/versions/0001") for name in names)
    assert not any(name.startswith(("migrations/", "tests/", "example_app/")) for name in names)


@pytest.mark.slow
def test_a_wheel_without_a_migration_is_refused(built: tuple[Path, Path], tmp_path: Path) -> None:
    wheel, sdist = built
    broken = tmp_path / wheel.name
    with zipfile.ZipFile(wheel) as source, zipfile.ZipFile(broken, "w") as target:
        for item in source.infolist():
            if not item.filename.startswith("fastapi_betterauth/migrations/versions/0002"):
                target.writestr(item, source.read(item))
    with pytest.raises(check.PackageCheckError, match="migrations/versions/0002"):
        check.check_contents(broken, sdist)
