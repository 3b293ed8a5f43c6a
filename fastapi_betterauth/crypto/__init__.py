"""Random identifiers, signatures and password hashing."""
