"""Tables, the async engine, and the queries shared across features."""
