"""What the request gate costs per request: ``GateMiddleware`` in front of a trivial app.

Sets up an embedded SQLite store with ``--accounts`` decided accounts and the bundled IP data,
then calls a one-route Starlette app directly through ASGI (no network, so the figure is the
middleware's own cost) with and without the middleware, for requests from random accounts
and random client addresses (public IPv4 and IPv6, some in restricted regions). The account
verdicts are cached after a first pass, as they are for a platform's active accounts.
Prints the median time per request of each over ``--rounds`` rounds and their difference,
and the gate service's own time per verdict.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.types import ASGIApp

from ownergate.gate import GateMiddleware, open_gate
from ownergate.service.gate import GateRequest
from ownergate.settings import Settings
from ownergate.store import Database, upgrade

RESTRICTED = ["114.114.114.114", "223.5.5.5", "77.88.8.8", "2.144.0.1", "175.45.176.1"]


def seed(url: str, accounts: int) -> None:
    upgrade(url)
    db = Database(url)
    statuses = ["allowed"] * 8 + ["restricted", "review"]
    with db.write() as store:
        for i in range(accounts):
            account = f"acct-{i:06d}"
            status = random.choice(statuses)
            store.accounts.upsert(
                account,
                organisation_name=f"Customer {i}",
                declared_country=random.choice(["SG", "DE", "US", "GB", "FR"]),
                annual_revenue=Decimal(random.randint(1_000, 5_000_000)),
                revenue_currency="USD",
                actor="benchmark",
            )
            store.decisions.append(
                account,
                status=status,
                reason={"allowed": "none", "restricted": "ownership", "review": "undetermined"}[
                    status
                ],
                share_min=0.0,
                share_max=0.0 if status == "allowed" else 0.6,
                method="control",
                evidence={"flags": []},
                policy_version=1,
                entity_id=f"E{i}",
                actor="benchmark",
            )
    db.dispose()


def addresses(n: int) -> list[str]:
    out = []
    for _ in range(n):
        roll = random.random()
        if roll < 0.1:
            out.append(random.choice(RESTRICTED))
        elif roll < 0.3:
            out.append(f"2a00:{random.randint(0, 0xFFFF):x}::{random.randint(1, 0xFFFF):x}")
        else:
            out.append(".".join(str(random.randint(1, 223)) for _ in range(4)))
    return out


async def hello(_request: Request) -> PlainTextResponse:
    return PlainTextResponse("hello")


def scopes(accounts: int, n: int) -> list[dict[str, object]]:
    return [
        {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": "/hello",
            "raw_path": b"/hello",
            "query_string": b"",
            "root_path": "",
            "headers": [
                (b"host", b"bench"),
                (b"x-account-id", f"acct-{random.randrange(accounts):06d}".encode()),
                (b"accept-language", b"en-GB,en;q=0.9"),
            ],
            "client": (ip, 40000),
            "server": ("127.0.0.1", 80),
        }
        for ip in addresses(n)
    ]


async def drive(app: ASGIApp, requests: list[dict[str, object]]) -> float:
    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(_message: dict[str, object]) -> None:
        return None

    start = time.perf_counter()
    for scope in requests:
        await app(dict(scope), receive, send)  # type: ignore[arg-type]
    return (time.perf_counter() - start) / len(requests)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=2_000)
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    random.seed(7)
    with tempfile.TemporaryDirectory(prefix="og-gate-bench-") as tmp:
        root = Path(tmp)
        url = f"sqlite:///{root / 'ownergate.db'}"
        t = time.perf_counter()
        seed(url, args.accounts)
        print(f"seeded {args.accounts:,} decided accounts in {time.perf_counter() - t:.1f} s")
        settings = Settings(data_dir=root / "data", database_url=url)
        t = time.perf_counter()
        gate = open_gate(settings)
        gate.intel  # noqa: B018 - opens (and the first time compiles) the IP data
        print(f"gate opened (IP data compiled and mapped) in {time.perf_counter() - t:.1f} s")
        plain = Starlette(routes=[Route("/hello", hello)])
        gated = GateMiddleware(plain, gate=gate, actor="gate:benchmark")
        requests = scopes(args.accounts, args.requests)

        async def run() -> tuple[list[float], list[float]]:
            await drive(gated, scopes(args.accounts, args.accounts * 4))  # fill the caches
            bare, wrapped = [], []
            for _ in range(args.rounds):
                bare.append(await drive(plain, requests))
                wrapped.append(await drive(gated, requests))
            return bare, wrapped

        bare, wrapped = asyncio.run(run())
        b, w = statistics.median(bare) * 1e6, statistics.median(wrapped) * 1e6
        print(f"app alone: {b:.1f} µs per request (median of {args.rounds} x {args.requests:,})")
        print(f"app behind GateMiddleware: {w:.1f} µs per request")
        print(f"middleware adds {w - b:.1f} µs per request (target <= 200 µs)")
        sample = [
            GateRequest(account_id=f"acct-{random.randrange(args.accounts):06d}", ip=ip)
            for ip in addresses(args.requests)
        ]
        t = time.perf_counter()
        misses = sum(gate.check_cached(r, actor="gate:benchmark") is None for r in sample)
        per = (time.perf_counter() - t) / len(sample) * 1e6
        print(f"GateService.check_cached: {per:.1f} µs per verdict, {misses} not in memory")
        gate.close()


if __name__ == "__main__":
    main()
