"""Request bodies of the session routes."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class RevokeSessionBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    token: str = Field(min_length=1, max_length=512)
    """A session token from `/list-sessions` (an opaque handle when tokens are stored hashed)."""
