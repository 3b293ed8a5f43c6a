"""The client's IP address (docs/better-auth.md#client-ip), believing forwarding headers only from configured trusted
proxies."""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Mapping

from starlette.requests import HTTPConnection

from ..cookies import request_cookies
from ..sessions.service import ClientInfo
from ..settings import IPAddressSettings

logger = logging.getLogger("fastapi_betterauth")

_IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
_FIX = (
    "advanced.ip_address.trusted_proxies (BETTER_AUTH_ADVANCED__IP_ADDRESS__TRUSTED_PROXIES; README, Rate limiting, "
    "Client IP). Logged once."
)
SERVER_REWROTE_CLIENT = (
    "The ASGI server took the client address %s from X-Forwarded-For (uvicorn does so by default for connections "
    "from 127.0.0.1, gunicorn and hypercorn when told to): per-IP rate limits then rest on a header that a client "
    "can forge whenever the proxy in front passes it on unchanged. Run the server without that (uvicorn "
    "--no-proxy-headers) and list the proxy in " + _FIX
)
UNTRUSTED_LOCAL_PROXY = (
    "A request from the local address %s carries X-Forwarded-For, but no trusted proxy is configured, so the header "
    "is ignored and every client behind that proxy shares its address and rate-limit buckets. List the proxy in " + _FIX
)


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
        self._warned = False

    def _is_proxy(self, address: _IPAddress) -> bool:
        return any(address in network for network in self._proxies)

    def client_info(self, request: HTTPConnection) -> ClientInfo:
        """Where a request came from, as a session records it: its client address, user agent, and cookies."""
        return ClientInfo(
            ip_address=self.for_request(request),
            user_agent=request.headers.get("user-agent"),
            cookies=request_cookies(request),
        )

    def for_request(self, request: HTTPConnection) -> str | None:
        """The client address of a request (its ASGI peer, traced back through trusted proxies)."""
        peer = request.client.host if request.client else None
        if not self._warned:
            self._check_forwarding(peer, request.headers)
        return self.resolve(peer, request.headers)

    def _check_forwarding(self, peer: str | None, headers: Mapping[str, str]) -> None:
        """Warn once about a deployment whose forwarding headers decide, or are wasted on, the client address
        (docs/security.md L3). What a request shows is all there is to go on: the peer the server reports, and the
        `X-Forwarded-For` it still carries."""
        forwarded = headers.get("x-forwarded-for")
        peer_ip = _parse_ip(peer) if peer else None
        if not forwarded or peer_ip is None or self._settings.disable_ip_tracking:
            return
        if self._is_proxy(peer_ip):
            return
        if peer_ip in {_parse_ip(hop) for hop in forwarded.split(",")}:
            # The peer is one of the forwarded hops: the server replaced the connection's address with it.
            self._warned = True
            logger.warning(SERVER_REWROTE_CLIENT, peer_ip)
        elif not self._proxies and peer_ip.is_loopback:
            self._warned = True
            logger.warning(UNTRUSTED_LOCAL_PROXY, peer_ip)

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
