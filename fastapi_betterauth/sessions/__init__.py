"""Sessions: creation, lookup with sliding refresh, revocation, the `Depends` providers and their routes."""
