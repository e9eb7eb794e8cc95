"""The decision service and the request gate, as the platform uses them: starts
``ownergate serve`` on a free loopback port over the demo's data directory, registers and
activates the GLEIF sample snapshot, writes three customer accounts (each decided on
write), and asks the gate about requests from several places. Prints what it sees.

Run by scripts/demo.sh with ``OWNERGATE_DATA_DIR`` set; talks to 127.0.0.1 only.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

BIN = Path(sys.executable).parent
ACCOUNTS = {
    # A Slovak company found in the snapshot by its LEI (allowed under the seed policy).
    "demo-sk": {
        "organisation_name": "Slovak demo customer",
        "declared_country": "SK",
        "lei": "097900BJGO0000201513",
    },  # fmt: skip
    # No registry entity: decided on its declared country alone, flagged unverified.
    "demo-cn": {"organisation_name": "Shanghai Demo Trading Co., Ltd.", "declared_country": "CN"},
    "demo-de": {"organisation_name": "Rhein Demo GmbH", "declared_country": "DE"},
}
REQUESTS = [
    ("demo-sk", "178.40.0.1", "from Slovak Telekom, at home"),
    ("demo-sk", "77.88.8.8", "from a Russian network"),
    ("demo-cn", "178.40.0.1", "a restricted account, from Slovakia"),
    ("demo-de", "52.95.110.1", "from an AWS address, locale ru-RU"),
    (None, "8.8.8.8", "no account"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def ownergate(*args: str) -> str:
    return subprocess.run(
        [str(BIN / "ownergate"), *args], check=True, capture_output=True, text=True
    ).stdout


def wait_ready(client: httpx.Client, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("ownergate serve exited")
        try:
            if client.get("/readyz").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise SystemExit("ownergate serve did not become ready")


def main() -> None:
    admin = (
        ownergate("keys", "create", "--role", "admin", "--label", "demo").strip().splitlines()[-1]
    )
    port = free_port()
    server = subprocess.Popen(
        [str(BIN / "ownergate"), "serve", "--port", str(port), "--no-access-log"],
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    headers = {"Authorization": f"Bearer {admin}"}
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=120) as api:
            wait_ready(api, server)
            snapshot = api.post("/v1/snapshots", json={"name": "gleif-sample"})
            snapshot.raise_for_status()
            digest = snapshot.json()["digest"]
            api.post(f"/v1/snapshots/{digest}/activate").raise_for_status()
            print(f"snapshot gleif-sample ({digest[:12]}) registered and active; seed policy v1")
            print("\naccounts (each decided when written):")
            for name, fields in ACCOUNTS.items():
                written = api.put(f"/v1/accounts/{name}", json=fields)
                written.raise_for_status()
                verdict = written.json()["verdict"]
                decision = verdict["decision"]
                flags = ", ".join(decision["flags"]) or "-"
                print(
                    f"  {name:8} {fields['declared_country']}  {verdict['effective_status']:10}"
                    f" reason {decision['reason']:9} entity {decision['entity_id'] or '-':20}"
                    f" flags {flags}"
                )
            print("\nrequests through the gate (POST /v1/gate):")
            refused = 0
            for account, ip, what in REQUESTS:
                body: dict[str, object] = {"ip": ip}
                if account:
                    body["account_id"] = account
                if "ru-RU" in what:
                    body["locale"] = "ru-RU"
                answer = api.post("/v1/gate", json=body)
                answer.raise_for_status()
                gate = answer.json()
                refused += gate["action"] != "allow"
                ip_info = gate["ip"] or {}
                flags = ",".join(dict.fromkeys(f["name"] for f in ip_info.get("flags", [])))
                rules = ", ".join(r["rule"] for r in gate["reasons"]) or "-"
                print(
                    f"  {gate['action']:9} {account or '(none)':8} {ip:14} "
                    f"{ip_info.get('country') or '--'} {flags or '-':8} {what}\n"
                    f"            rules: {rules}"
                )
            # Refusals are journalled before each reply; the log gets them in batches.
            gated: list[dict[str, object]] = []
            deadline = time.monotonic() + 10
            while len(gated) < refused and time.monotonic() < deadline:
                audit = api.get("/v1/audit", params={"limit": 100})
                audit.raise_for_status()
                gated = [e for e in audit.json()["items"] if e["action"].startswith("gate.")]
                time.sleep(0.1)
            print(f"\naudit log: {len(gated)} of {refused} refusals and challenges recorded")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
