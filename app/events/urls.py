"""Where webhooks may be sent: never into the service's own network (SSRF).

In production only `https://` URLs whose host resolves to public addresses only; outside
production `http://` and loopback are allowed too, so a developer's receiver on
`http://127.0.0.1` works. Private, link-local, multicast and reserved addresses are refused
everywhere. The check runs when a URL is saved and again before every attempt, since a
name can resolve elsewhere later (DNS rebinding).
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit


def _addresses(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        literal = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        pass
    else:
        return [literal]
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [ipaddress.ip_address(info[4][0]) for info in infos]


def url_refusal(url: str, *, production: bool) -> str | None:
    """Why a webhook may not be sent to `url`, or None when it may."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
        port = parts.port
    except ValueError:  # a malformed IPv6 literal, a port that is not a number
        return "url: not a valid URL"
    allowed = ("https",) if production else ("https", "http")
    if parts.scheme not in allowed:
        return "url: must be https://" if production else "url: must be http:// or https://"
    if parts.username or parts.password:
        return "url: must not carry credentials"
    if not host:
        return "url: has no host"
    try:
        addresses = _addresses(host, port or (443 if parts.scheme == "https" else 80))
    except (OSError, UnicodeError):
        return f"url: the host {host} does not resolve"
    for address in addresses:
        if address.is_loopback and not production:
            continue
        if not address.is_global or address.is_multicast:
            return f"url: {host} resolves to a private or reserved address"
    return None
