"""The client's IP address (docs/better-auth.md#client-ip), believing forwarding headers only from configured trusted
proxies."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping

from starlette.requests import HTTPConnection

from ..settings import IPAddressSettings

_IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def _parse_ip(value: str) -> _IPAddress | None:
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


class ClientIPResolver:
    """Without trusted proxies the peer address is the client (a spoofed `X-Forwarded-For` changes nothing).

    With them, a request from a trusted proxy is traced back through the configured headers right to left,
    skipping trusted hops; the first untrusted hop is the client.
    """

    def __init__(self, settings: IPAddressSettings) -> None:
        self._settings = settings
        self._proxies: tuple[_IPNetwork, ...] = tuple(
            ipaddress.ip_network(entry, strict=False) for entry in settings.trusted_proxies
        )

    def _is_proxy(self, address: _IPAddress) -> bool:
        return any(address in network for network in self._proxies)

    def for_request(self, request: HTTPConnection) -> str | None:
        """The client address of a request (its ASGI peer, traced back through trusted proxies)."""
        return self.resolve(request.client.host if request.client else None, request.headers)

    def resolve(self, peer: str | None, headers: Mapping[str, str]) -> str | None:
        if self._settings.disable_ip_tracking:
            return None
        peer_ip = _parse_ip(peer) if peer else None
        if peer_ip is None or not self._proxies or not self._is_proxy(peer_ip):
            return str(peer_ip) if peer_ip else None
        for header in self._settings.ip_address_headers:
            value = headers.get(header.lower())
            if not value:
                continue
            for hop in reversed(value.split(",")):
                hop_ip = _parse_ip(hop)
                if hop_ip is None:
                    return None
                if not self._is_proxy(hop_ip):
                    return str(hop_ip)
        return str(peer_ip)
