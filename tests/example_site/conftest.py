"""One example site for the browser tests of this folder (they run on one xdist worker: `xdist_group`)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .helpers import Site, running_site


@pytest.fixture(scope="package")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with running_site(tmp_path_factory.mktemp("example-site")) as running:
        yield running
