"""The `jwks` table (better-auth's jwt plugin schema), shared with a Node better-auth app."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from ..crypto.tokens import generate_id
from ..db.columns import ID, date_field, optional_text_field, text_field


class Jwk(SQLModel, table=True):
    """One signing key pair. `id` is the `kid`; `public_key` is the public JWK as JSON text; `private_key` is the
    private JWK's JSON sealed with the secret in better-auth's envelope (`symmetricEncrypt`) and stored as a JSON
    string, so a Node better-auth app signs with our keys and we with its (docs/security.md T9)."""

    __tablename__ = "jwks"

    id: str = Field(default_factory=generate_id, primary_key=True, sa_type=ID)
    public_key: str = text_field("publicKey")
    private_key: str = text_field("privateKey")
    created_at: datetime = date_field("createdAt")
    expires_at: datetime | None = date_field("expiresAt", default=None)
    """When the key stops signing (rotation); null: never. It is still published for a grace period after."""
    alg: str | None = optional_text_field()
    """Null on rows older than the column: they count as the configured algorithm, as in better-auth."""
    crv: str | None = optional_text_field()
