"""The `passkey` table (better-auth's passkey plugin schema), shared with a Node better-auth app."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import ForeignKeyConstraint, Index, Integer
from sqlmodel import Field, SQLModel

from ..crypto.tokens import generate_id
from ..db.columns import ID, date_field, id_field, optional_text_field, text_field


class Passkey(SQLModel, table=True):
    """One WebAuthn credential of a user, stored as better-auth stores it: `credential_id` base64url (as the browser
    reports it), `public_key` the COSE public key in standard base64, `counter` the last signature counter seen,
    `transports` comma-separated, so either app verifies the other's passkeys."""

    __tablename__ = "passkey"
    __table_args__ = (
        ForeignKeyConstraint(["userId"], ["user.id"], name="passkey_userId_fkey", ondelete="CASCADE"),
        Index("passkey_userId_idx", "userId"),
        Index("passkey_credentialID_idx", "credentialID"),
    )

    id: str = Field(default_factory=generate_id, primary_key=True, sa_type=ID)
    name: str | None = optional_text_field()
    public_key: str = text_field("publicKey")
    user_id: str = id_field("userId")
    credential_id: str = text_field("credentialID", indexed=True)
    counter: int = Field(sa_type=Integer)
    device_type: str = text_field("deviceType")
    """`singleDevice` or `multiDevice` (a synced passkey)."""
    backed_up: bool = Field(sa_column_kwargs={"name": "backedUp"})
    transports: str | None = optional_text_field()
    created_at: datetime | None = date_field("createdAt", default=None)
    aaguid: str | None = optional_text_field()
    """The authenticator model (all zeros for most passkeys with attestation `none`)."""

    def to_json(self) -> dict[str, object]:
        """The row as better-auth's adapter answers it (`list-user-passkeys`, `update-passkey`...)."""
        created = self.created_at
        return {
            "id": self.id,
            "name": self.name,
            "publicKey": self.public_key,
            "userId": self.user_id,
            "credentialID": self.credential_id,
            "counter": self.counter,
            "deviceType": self.device_type,
            "backedUp": self.backed_up,
            "transports": self.transports,
            "createdAt": js_date(created) if created is not None else None,
            "aaguid": self.aaguid,
        }


def js_date(moment: datetime) -> str:
    """ISO 8601 UTC with milliseconds and `Z`, as `JSON.stringify(new Date())` (a naive value is UTC)."""
    utc = moment.astimezone(UTC) if moment.tzinfo is not None else moment
    return f"{utc:%Y-%m-%dT%H:%M:%S}.{utc.microsecond // 1000:03d}Z"
