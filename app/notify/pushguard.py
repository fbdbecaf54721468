"""Which Web Push endpoints we accept, and a connection that only reaches public push services.

Any logged-in user can hand us a push endpoint URL and the delivery job will POST to it, so the URL is
a way to make the server connect somewhere (SSRF). Two layers:

* at subscription time (`endpoint_problem`): an https URL whose host is a DNS name on the allow-list
  (`PUSH_ALLOWED_HOSTS`, by default the browser vendors' push services); IP literals in every notation
  the resolvers accept (dotted, integer, hex, octal, short `127.1`, `0`, IPv6, IPv4-mapped IPv6) and
  local names (`localhost`, `localhost.`, `*.localhost`, single labels) are refused;
* at delivery time (`pinned_session`): the requests session resolves the host itself, refuses the
  connection unless EVERY resolved address is global (`ipaddress.ip_address(a).is_global`) and then
  connects to the address it checked, so a DNS answer that changes between check and connect
  (rebinding) cannot redirect it. TLS still verifies the certificate for the host name.

`PUSH_ALLOW_LOOPBACK` (tests only) additionally lets loopback addresses and `http` through.
"""
import ipaddress
import re
import socket
import sys
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from flask import current_app
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
from urllib3.util import connection as urllib3_connection
from urllib3.util import parse_url

_getaddrinfo = socket.getaddrinfo  # module-level so tests can stand in for DNS
_NUMBER = re.compile(r"^(0x[0-9a-f]*|[0-9]+)$")
_LOCAL_SUFFIXES = (".localhost", ".local", ".localdomain", ".internal", ".home.arpa")


class UnsafeEndpoint(ValueError):
    """The endpoint may not be connected to; the message is user-facing Chinese."""


@dataclass(frozen=True)
class PushPolicy:
    allowed_hosts: tuple[str, ...]   # "fcm.googleapis.com", "*.notify.windows.com"; "*" = any public host
    allow_loopback: bool = False

    @classmethod
    def from_config(cls) -> "PushPolicy":
        hosts = current_app.config.get("PUSH_ALLOWED_HOSTS") or ()
        if isinstance(hosts, str):
            hosts = [h for h in hosts.replace(",", " ").split()]
        return cls(tuple(h.strip().lower().rstrip(".") for h in hosts if h.strip()),
                   bool(current_app.config.get("PUSH_ALLOW_LOOPBACK", False)))

    def host_allowed(self, host: str) -> bool:
        host = host.lower().rstrip(".")
        for entry in self.allowed_hosts:
            if entry == "*" or host == entry or (entry.startswith("*.") and host.endswith(entry[1:])):
                return True
        return False


def is_ip_literal(host: str) -> bool:
    """True for every spelling a resolver reads as an address: 127.0.0.1, 127.1, 2130706433, 0x7f.0.0.1,
    0177.0.0.1, 0, 0xa9fea9fe, [::1], ::ffff:127.0.0.1 … (and, as browsers do, any name ending in a number)."""
    h = host.strip().lower().strip("[]").rstrip(".")
    if not h or ":" in h or "%" in h:
        return True  # IPv6 in any form (a DNS name never contains ':'); empty is no name
    try:
        ipaddress.ip_address(h)
        return True
    except ValueError:
        pass
    if _NUMBER.match(h.split(".")[-1]):
        return True  # WHATWG URL: a host whose last label is a number is parsed as IPv4
    try:
        socket.inet_aton(h)
        return True
    except (OSError, ValueError):
        return False


def is_local_name(host: str) -> bool:
    h = host.lower().rstrip(".")
    return h == "localhost" or h.endswith(_LOCAL_SUFFIXES) or "." not in h


def _loopback_literal(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def endpoint_problem(url: str, policy: PushPolicy) -> str | None:
    """Why this push endpoint is refused (a Chinese sentence), or None when it is acceptable."""
    if any(ch.isspace() or ord(ch) < 0x20 or ch == "\\" for ch in url):
        return "推送地址格式有误"
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        parts.port  # noqa: B018 — raises ValueError for a bad port
        other = (parse_url(url).host or "").lower().strip("[]")
    except ValueError:
        return "推送地址格式有误"
    if parts.scheme not in ("https",) + (("http",) if policy.allow_loopback else ()) or not host:
        return "推送地址应为 https 地址"
    if "@" in parts.netloc:
        return "推送地址不能包含用户名或密码"
    if other != host:
        return "推送地址格式有误"  # two URL parsers disagree on the host: refuse rather than guess
    loopback_ok = policy.allow_loopback and (_loopback_literal(host) or host == "localhost")
    if loopback_ok:
        return None
    if is_ip_literal(host):
        return "推送地址不能是 IP 地址，应为推送服务的域名"
    if is_local_name(host):
        return "推送地址不能指向本机或内网"
    if not policy.host_allowed(host):
        return "推送地址不是受支持的推送服务"
    return None


def check_address(address: str, policy: PushPolicy) -> None:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if ip.is_global and not ip.is_multicast:
        return
    if policy.allow_loopback and ip.is_loopback:
        return
    raise UnsafeEndpoint(f"推送服务解析到非公网地址 {address}，已拒绝连接")


def resolve_public(host: str, port: int, policy: PushPolicy) -> list[str]:
    """Resolve `host` and return its addresses, if every one of them may be connected to."""
    if is_ip_literal(host) and not (policy.allow_loopback and _loopback_literal(host)):
        raise UnsafeEndpoint("推送地址不能是 IP 地址")
    if not (policy.host_allowed(host) or (policy.allow_loopback and (_loopback_literal(host) or host == "localhost"))):
        raise UnsafeEndpoint(f"{host} 不是受支持的推送服务")
    infos = _getaddrinfo(host.strip("[]"), port, 0, socket.SOCK_STREAM)
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise socket.gaierror(f"{host} 无法解析")
    for address in addresses:
        check_address(address, policy)
    return addresses


class _PinnedMixin:
    """urllib3 connection that resolves and checks the host itself and connects to the checked address."""

    policy: PushPolicy

    def _new_conn(self):
        addresses = resolve_public(self.host, self.port, self.policy)
        last: OSError | None = None
        for address in addresses:
            try:
                sock = urllib3_connection.create_connection(
                    (address, self.port), self.timeout, source_address=self.source_address,
                    socket_options=self.socket_options)
                break
            except TimeoutError as exc:
                raise ConnectTimeoutError(self, f"连接 {self.host} 超时") from exc
            except OSError as exc:
                last = exc
        else:
            raise NewConnectionError(self, f"无法连接推送服务：{last}")
        sys.audit("http.client.connect", self, self.host, self.port)
        return sock


def pinned_session(policy: PushPolicy) -> requests.Session:
    """A requests session (pywebpush's `requests_session`) whose every connection goes through the checks.

    Proxies from the environment are ignored (a proxy would be the address we check); redirects, if a
    push service sent one, go through the same adapters and so through the same checks.
    """
    https_conn = type("PinnedHTTPSConnection", (_PinnedMixin, HTTPSConnection), {"policy": policy})
    http_conn = type("PinnedHTTPConnection", (_PinnedMixin, HTTPConnection), {"policy": policy})
    https_pool = type("PinnedHTTPSPool", (HTTPSConnectionPool,), {"ConnectionCls": https_conn})
    http_pool = type("PinnedHTTPPool", (HTTPConnectionPool,), {"ConnectionCls": http_conn})

    class PinnedAdapter(HTTPAdapter):
        def init_poolmanager(self, *args, **kwargs):
            super().init_poolmanager(*args, **kwargs)
            self.poolmanager.pool_classes_by_scheme = {"http": http_pool, "https": https_pool}
            self.poolmanager.key_fn_by_scheme = dict(self.poolmanager.key_fn_by_scheme)

    session = requests.Session()
    session.trust_env = False
    session.max_redirects = 3
    session.mount("https://", PinnedAdapter())
    session.mount("http://", PinnedAdapter() if policy.allow_loopback else _RefuseAdapter())
    return session


class _RefuseAdapter(HTTPAdapter):
    def send(self, request, *args, **kwargs):
        raise UnsafeEndpoint("推送地址应为 https 地址")
