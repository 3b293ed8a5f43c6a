"""Request bodies of the user routes."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class UpdateUserBody(BaseModel):
    """`POST /update-user`. `email` is accepted only to be refused with better-auth's code."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    name: str | None = Field(default=None, min_length=1, max_length=256)
    image: str | None = Field(default=None, max_length=2048)
    email: str | None = None
