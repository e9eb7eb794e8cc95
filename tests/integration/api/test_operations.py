"""/healthz, /readyz and /metrics over real HTTP."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from ownergate.api import Role, create_app, state_of
from tests.integration.api.conftest import make_settings
from tests.integration.api.keyring_fixture import KeyringFixtureServices, bearer


def test_healthz_answers_without_a_key(client: httpx.Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_reports_each_dependency(
    client: httpx.Client, keyring: KeyringFixtureServices
) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "checks": {"keyring": "up"}}

    keyring.checks["database"] = False
    try:
        response = client.get("/readyz")
    finally:
        del keyring.checks["database"]
    assert response.status_code == 503
    assert response.json() == {"status": "unready", "checks": {"keyring": "up", "database": "down"}}


def test_readyz_is_unready_when_the_check_itself_fails(
    client: httpx.Client, keyring: KeyringFixtureServices, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken() -> dict[str, bool]:
        raise ConnectionError("database at 10.0.0.7 refused")

    with monkeypatch.context() as patch:
        patch.setattr(keyring, "ready", broken)
        response = client.get("/readyz")
    assert response.status_code == 503
    assert "10.0.0.7" not in response.text
    assert response.json()["status"] == "unready"


def _samples(text: str, name: str) -> dict[str, float]:
    """``{'label="v",...': value}`` for the samples of one metric family."""
    found = {}
    for line in text.splitlines():
        match = re.match(rf"^{name}\{{(.*)\}} (\S+)$", line)
        if match:
            found[match.group(1)] = float(match.group(2))
    return found


def test_metrics_count_requests_by_route_template_and_status(client: httpx.Client) -> None:
    for sample_id in ("a1", "b2", "c3"):  # three paths, one template
        assert (
            client.get(f"/v1/samples/{sample_id}", headers=bearer(Role.VIEWER)).status_code == 404
        )
    client.get("/no/such/route/123")
    client.get("/v1/samples/x", headers={"Authorization": "Bearer wrong"})

    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    counts = _samples(response.text, "ownergate_http_requests_total")
    assert counts['method="GET",route="/v1/samples/{sample_id}",status="404"'] >= 3
    assert counts['method="GET",route="/v1/samples/{sample_id}",status="401"'] >= 1
    assert counts['method="GET",route="unmatched",status="404"'] >= 1
    # No label carries a concrete path: the label set stays bounded.
    assert not any("a1" in labels or "123" in labels for labels in counts)
    buckets = _samples(response.text, "ownergate_http_request_duration_seconds_bucket")
    assert any('route="/v1/samples/{sample_id}"' in labels for labels in buckets)
    assert "ownergate_http_requests_in_flight" in response.text


def test_metrics_name_the_route_of_a_body_refused_before_routing(client: httpx.Client) -> None:
    client.post(
        "/v1/samples",
        content=b"x" * (1 << 20),
        headers={**bearer(Role.ANALYST), "content-type": "application/json"},
    )
    counts = _samples(client.get("/metrics").text, "ownergate_http_requests_total")
    assert counts['method="POST",route="/v1/samples",status="413"'] >= 1


def test_each_app_has_its_own_metrics_registry(app: FastAPI, tmp_path: Path) -> None:
    other = create_app(make_settings(tmp_path), services=KeyringFixtureServices())
    assert state_of(other).metrics.registry is not state_of(app).metrics.registry
