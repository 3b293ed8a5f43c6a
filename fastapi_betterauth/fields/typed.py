"""The app's own typed user: a pydantic model of the core fields and the app's additional ones, as a dependency.

```python
class AppUser(UserView):
    plan: str
    age: int | None = None

AppCurrentUser = Annotated[AppUser, Depends(user_view(AppUser))]

@app.get("/billing")
async def billing(user: AppCurrentUser) -> dict[str, str]:
    return {"plan": user.plan}          # typed: mypy and the editor know `plan`
```
"""

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated, Any, TypeVar

from fastapi import Depends
from pydantic import BaseModel, ConfigDict

from ..db.models import User
from ..sessions.deps import current_user
from .values import additional_values

ViewT = TypeVar("ViewT", bound="UserView")


class UserView(BaseModel):
    """The signed-in user's core fields; subclass it with the app's additional fields (their names as declared)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: str
    name: str
    email: str
    email_verified: bool
    image: str | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls: type[ViewT], user: User) -> ViewT:
        """This view of a `User` (with the additional values it carries)."""
        return cls.model_validate({**user.model_dump(), **(additional_values(user) or {})})


def user_view(model: type[ViewT], provider: Any = current_user) -> Callable[..., Awaitable[ViewT]]:
    """A dependency giving the signed-in user as `model` (401 without a session, like `current_user`, whose
    overrides it follows). `provider`: another user provider to view (`verified_user`)."""

    # No `from __future__ import annotations` in this module: FastAPI reads this annotation at run time, and it
    # names `provider`, a local.
    async def view(user: Annotated[User, Depends(provider)]) -> ViewT:
        return model.of(user)

    return view
