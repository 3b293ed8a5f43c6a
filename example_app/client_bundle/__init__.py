"""better-auth's own JS client (`createAuthClient` and its plugins' clients), bundled into one ES module that the
example app serves at `/static/better-auth-client.js`. See README.md in this folder."""

from .build import build_bundle, bundle_file
from .npm_cache import NpmUnavailable
from .router import router

__all__ = ["NpmUnavailable", "build_bundle", "bundle_file", "router"]
