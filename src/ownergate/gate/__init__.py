"""The request gate as ASGI middleware for any Starlette or FastAPI app::

    from ownergate.gate import GateMiddleware
    app.add_middleware(GateMiddleware, trusted_proxies=["10.0.0.0/8"])

See ``ownergate.gate.middleware`` for what it reads and answers.
"""

from ownergate.gate.client import client_ip, parse_networks
from ownergate.gate.middleware import GateMiddleware, account_from_api_key, account_from_header
from ownergate.gate.wiring import open_gate

__all__ = [
    "GateMiddleware",
    "account_from_api_key",
    "account_from_header",
    "client_ip",
    "open_gate",
    "parse_networks",
]
