"""`python -m example_app.client_bundle`: build the bundle (once) and print where it is."""

from __future__ import annotations

import sys

from .build import build_bundle
from .npm_cache import NpmUnavailable

try:
    print(build_bundle())
except NpmUnavailable as exc:
    sys.exit(f"refused: {exc}")
