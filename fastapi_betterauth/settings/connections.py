"""How the database and secondary-storage connections behave when those services are slow or gone."""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, Field

from .durations import Duration


class ConnectionSettings(BaseModel):
    """How the database and secondary-storage connections behave when those services are slow or gone. A request
    that cannot reach them answers 503 `SERVICE_UNAVAILABLE` within these bounds, never hangs, never signs anyone
    out; connections are re-made as soon as the service is back."""

    database_pool_size: int = Field(default=20, ge=1)
    """Connections kept open per process (PostgreSQL, MySQL)."""
    database_max_overflow: int = Field(default=10, ge=0)
    """Extra connections opened under load beyond the pool, closed when returned."""
    database_pool_timeout: Duration = Field(default=timedelta(seconds=5), gt=timedelta(0))
    """How long a request waits for a free connection before answering 503."""
    database_connect_timeout: Duration = Field(default=timedelta(seconds=3), gt=timedelta(0))
    """How long opening a connection may take (PostgreSQL, MySQL)."""
    database_command_timeout: Duration = Field(default=timedelta(seconds=10), gt=timedelta(0))
    """How long one statement may take (PostgreSQL; MySQL's driver, aiomysql, has no statement timeout)."""
    database_pre_ping: bool = True
    """Test a pooled connection before use, so a database restart costs no request an error."""
    storage_timeout: Duration = Field(default=timedelta(seconds=1), gt=timedelta(0))
    """Connect and command timeout of secondary storage (Redis)."""
