"""Decision lookups over real HTTP: throughput and latency of GET /v1/accounts/{id}/decision.

Sets up an embedded SQLite store (or ``--database-url``) with ``--accounts`` accounts, each
with a stored decision, starts ``ownergate serve`` as a separate process on loopback, and
drives it from this process with keep-alive connections:

- an open-loop run at ``--rate`` requests per second (requests are sent on schedule whether
  or not earlier ones have answered, so queueing shows up in the latencies), reporting the
  achieved rate and latency percentiles;
- a closed-loop run with ``--connections`` connections as fast as the server answers.

Both runs are made against the default server (verdicts cached in memory, dropped when the
store changes) and against one with the cache off (every lookup reads the store); ``--cache``
picks one. A warm-up first asks for every account three times over (each server process
caches its own verdicts), as a platform asks about its active accounts again and again.

It prints measurements only. The load generator shares the machine with the server (two
cores here), so the figures are a lower bound of what the server alone could do.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def seed(url: str, accounts: int) -> str:
    """Accounts with one decision each; returns a viewer key."""
    from decimal import Decimal

    from ownergate.store import Database, upgrade

    upgrade(url)
    db = Database(url)
    with db.write() as store:
        key = store.api_keys.create(role="viewer", label="benchmark", actor="benchmark").plain
        policy = store.policies.active()
        assert policy is not None
        version = policy.version
    batch = 500
    for start in range(0, accounts, batch):
        with db.write() as store:
            for i in range(start, min(start + batch, accounts)):
                account = f"acct-{i:07d}"
                store.accounts.upsert(
                    account,
                    organisation_name=f"Customer {i}",
                    declared_country=random.choice(["SG", "DE", "US", "CN", "GB"]),
                    annual_revenue=Decimal(random.randint(1_000, 5_000_000)),
                    revenue_currency="USD",
                    actor="benchmark",
                )
                store.decisions.append(
                    account,
                    status="allowed",
                    reason="none",
                    share_min=0.0,
                    share_max=0.0,
                    method="control",
                    evidence={"flags": ["unverified"]},
                    policy_version=version,
                    actor="benchmark",
                )
    db.dispose()
    return key


def start_server(
    data_dir: Path, url: str, port: int, workers: int, cache_size: int | None
) -> subprocess.Popen[bytes]:
    env = {**os.environ, "OWNERGATE_DATA_DIR": str(data_dir), "OWNERGATE_DATABASE_URL": url}
    if cache_size is not None:
        env["OWNERGATE_VERDICT_CACHE_SIZE"] = str(cache_size)
    proc = subprocess.Popen(
        [
            str(BIN / "ownergate"),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--no-access-log",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
                s.sendall(b"GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                if b" 200 " in s.recv(64):
                    return proc
        except OSError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise SystemExit("the server did not become ready")


class Connection:
    """One keep-alive HTTP/1.1 connection; responses are read by their Content-Length."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, port: int) -> Connection:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return cls(reader, writer)

    async def get(self, path: str, key: str) -> int:
        self.writer.write(
            f"GET {path} HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer {key}\r\n\r\n".encode()
        )
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        await self.reader.readexactly(length)
        return status


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    return {"p50": at(0.50), "p90": at(0.90), "p99": at(0.99), "max": ordered[-1] * 1000}


async def open_loop(
    port: int, key: str, paths: list[str], rate: float, seconds: float, conns: int = 32
) -> None:
    """Requests sent on a fixed schedule, spread over ``conns`` keep-alive connections
    (each carries one request at a time, the n-th due at ``start + n / rate``). A request
    that cannot go on time goes as soon as its connection is free, and its latency counts
    from when it was due, so a stalled server shows as queueing (no coordinated omission).
    """
    connections = [await Connection.open(port) for _ in range(conns)]
    latencies: list[float] = []
    errors = 0
    n = int(rate * seconds)
    start = time.perf_counter() + 0.05

    async def worker(c: int, conn: Connection) -> None:
        nonlocal errors
        for i in range(c, n, conns):
            due = start + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            if await conn.get(random.choice(paths), key) != 200:
                errors += 1
            latencies.append(time.perf_counter() - due)

    await asyncio.gather(*(worker(c, conn) for c, conn in enumerate(connections)))
    elapsed = time.perf_counter() - start
    p = percentiles(latencies)
    print(
        f"open loop at {rate:,.0f}/s for {seconds:.0f} s: {len(latencies):,} requests, "
        f"achieved {len(latencies) / elapsed:,.0f}/s, errors {errors}, latency ms "
        + ", ".join(f"{k} {v:.2f}" for k, v in p.items())
    )


async def touch_all(port: int, key: str, paths: list[str], conns: int) -> None:
    """Asks for every account once: the steady state of a platform whose active accounts
    are asked about again and again (with the cache off, it warms the page cache)."""
    queue = list(paths)

    async def worker() -> None:
        conn = await Connection.open(port)
        while queue:
            await conn.get(queue.pop(), key)

    await asyncio.gather(*(worker() for _ in range(conns)))


async def closed_loop(port: int, key: str, paths: list[str], conns: int, seconds: float) -> None:
    latencies: list[float] = []
    stop = time.perf_counter() + seconds

    async def worker() -> None:
        conn = await Connection.open(port)
        while time.perf_counter() < stop:
            t = time.perf_counter()
            await conn.get(random.choice(paths), key)
            latencies.append(time.perf_counter() - t)

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(conns)))
    elapsed = time.perf_counter() - start
    p = percentiles(latencies)
    print(
        f"closed loop, {conns} connections for {seconds:.0f} s: "
        f"{len(latencies) / elapsed:,.0f} requests/s, latency ms "
        + ", ".join(f"{k} {v:.2f}" for k, v in p.items())
    )


def run(job: Coroutine[Any, Any, None]) -> None:
    """The load generator shares the cores with the server: uvloop halves its cost."""
    try:
        import uvloop
    except ImportError:  # not built for this platform
        asyncio.run(job)
    else:
        uvloop.run(job)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=20_000)
    parser.add_argument("--rate", type=float, default=1000.0)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--workers", type=int, default=2, help="server processes")
    parser.add_argument(
        "--cache",
        choices=["both", "on", "off"],
        default="both",
        help="run with the verdict cache (the default server), without it, or both",
    )
    args = parser.parse_args()
    runs = {"both": [True, False], "on": [True], "off": [False]}[args.cache]
    with tempfile.TemporaryDirectory(prefix="og-api-bench-") as tmp:
        data = Path(tmp)
        url = args.database_url or f"sqlite:///{data / 'ownergate.db'}"
        t = time.perf_counter()
        key = seed(url, args.accounts)
        print(
            f"seeded {args.accounts:,} accounts with decisions in {time.perf_counter() - t:.1f} s"
        )
        paths = [f"/v1/accounts/acct-{i:07d}/decision" for i in range(args.accounts)]
        for cached in runs:
            port = free_port()
            server = start_server(data, url, port, args.workers, None if cached else 0)
            print(
                f"server: ownergate serve --workers {args.workers} --no-access-log, verdict "
                + ("cache on (default)" if cached else "cache off (OWNERGATE_VERDICT_CACHE_SIZE=0)")
            )
            try:
                # Each server process keeps its own cache, and which process a connection
                # reaches is the kernel's choice: three passes leave every account in each.
                for _ in range(3):
                    run(touch_all(port, key, paths, args.connections))
                run(open_loop(port, key, paths, args.rate, args.seconds))
                run(closed_loop(port, key, paths, args.connections, args.seconds))
            finally:
                server.terminate()
                server.wait(timeout=30)
    print("target: p99 <= 10 ms at >= 1,000 requests/s on loopback (2 cores)")


if __name__ == "__main__":
    main()
