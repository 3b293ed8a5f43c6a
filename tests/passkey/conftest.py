from ..test_client_bundle import client_bundle

__all__ = ["client_bundle"]
