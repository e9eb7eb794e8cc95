"""The decision lookup's fast path (``ownergate.api.fastpath``) against the FastAPI route it
short-cuts: for any request (ids, keys, headers and query strings, valid or not) the app
answers byte for byte what the same app without the fast path answers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ownergate.api import create_app
from ownergate.api.fastpath import DecisionFastPath
from ownergate.api.wiring import build_services
from ownergate.store import Database, Verdict
from tests.http_server import serving
from tests.integration.service.registry import create_keys
from tests.integration.service.server import settings_for
from tests.property import examples

DECIDED = ("acct-1", "Acct.2:x", "acct-3")


@dataclass
class Pair:
    fast: httpx.Client
    reference: httpx.Client
    keys: dict[str, str]
    app: FastAPI


def _seed(url: str) -> None:
    db = Database(url)
    try:
        with db.write() as store:
            for account in (*DECIDED, "undecided"):
                store.accounts.upsert(
                    account, organisation_name=account, declared_country="SG", actor="tests"
                )
            for status, account in zip(("allowed", "restricted", "review"), DECIDED, strict=True):
                store.decisions.append(
                    account,
                    status=status,
                    reason={"allowed": "none", "restricted": "ownership", "review": "undetermined"}[
                        status
                    ],
                    share_min=0.0 if status == "allowed" else 0.55,
                    share_max=0.0 if status == "allowed" else 0.8,
                    method="control",
                    evidence={"flags": ["unverified"]},
                    policy_version=1,
                    actor="tests",
                )
            override = store.overrides.request(
                "Acct.2:x",
                verdict=Verdict.ALLOW,
                reason="licence",
                expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=3),
                actor="key:a",
            )
            store.overrides.review(override.id, outcome="approve", reason="ok", actor="key:b")
    finally:
        db.dispose()


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    root: Path = tmp_path_factory.mktemp("fastpath")
    url = f"sqlite:///{root / 'ownergate.db'}"
    settings = settings_for(url, root / "data")
    services = build_services(settings)  # migrates
    _seed(url)
    keys = create_keys(url)
    fast = create_app(settings, services=services)
    reference = create_app(settings, services=services)
    reference.user_middleware = [
        m for m in reference.user_middleware if m.cls is not DecisionFastPath
    ]
    try:
        with (
            serving(fast) as fast_url,
            serving(reference) as reference_url,
            httpx.Client(base_url=fast_url, timeout=30) as fast_client,
            httpx.Client(base_url=reference_url, timeout=30) as reference_client,
        ):
            yield Pair(fast_client, reference_client, keys, fast)
    finally:
        services.close()


# Weighted so that about a third of the requests are ones the fast path answers.
ids = st.one_of(
    st.sampled_from(DECIDED),
    st.sampled_from(DECIDED),
    st.sampled_from(["undecided", "nobody", "-x", "a" * 128, "a" * 129, "acct-1\n"]),
    st.text(min_size=1, max_size=12),
)
auth = st.one_of(
    st.sampled_from(["viewer", "analyst", "admin", "lower", "spaces"]),
    st.sampled_from(["basic", "unknown", "none", "long"]),
)
queries = st.one_of(
    st.just(""), st.sampled_from(["?evidence=false", "?evidence=true", "?limit=2", "?"])
)


def _header(how: str, keys: dict[str, str]) -> dict[str, str]:
    key = keys["viewer"]
    return {
        "viewer": {"Authorization": f"Bearer {key}"},
        "analyst": {"Authorization": f"Bearer {keys['analyst']}"},
        "admin": {"Authorization": f"Bearer {keys['admin']}"},
        "lower": {"Authorization": f"bearer {key}"},
        "spaces": {"Authorization": f"Bearer   {key}"},
        "basic": {"Authorization": f"Basic {key}"},
        "unknown": {"Authorization": "Bearer og_0000_nope"},
        "none": {},
        "long": {"Authorization": "Bearer " + "k" * 600},
    }[how]


def _same(a: httpx.Response, b: httpx.Response) -> None:
    assert (a.status_code, a.content) == (b.status_code, b.content)
    for name in ("content-type", "content-length"):
        assert a.headers.get(name) == b.headers.get(name)


@settings(
    max_examples=examples(150),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(account=ids, how=auth, query=queries)
def test_the_fast_path_answers_what_the_route_answers(
    pair: Pair, account: str, how: str, query: str
) -> None:
    path = f"/v1/accounts/{quote(account, safe='')}/decision{query}"
    headers = _header(how, pair.keys)
    # Twice on the fast app: the first request fills the key and verdict caches.
    first = pair.fast.get(path, headers=headers)
    second = pair.fast.get(path, headers=headers)
    reference = pair.reference.get(path, headers=headers)
    _same(first, reference)
    _same(second, reference)


def test_a_cached_lookup_is_answered_below_the_router(pair: Pair) -> None:
    headers = _header("viewer", pair.keys)
    for account in DECIDED:
        assert pair.fast.get(f"/v1/accounts/{account}/decision", headers=headers).is_success
    middleware = DecisionFastPath(pair.app, state=pair.app.state.ownergate)
    for account in DECIDED:
        scope = {
            "type": "http",
            "method": "GET",
            "path": f"/v1/accounts/{account}/decision",
            "query_string": b"",
            "headers": [(b"authorization", headers["Authorization"].encode())],
        }
        body = middleware._answer(scope)
        assert body is not None
        assert body == pair.reference.get(scope["path"], headers=headers).content
    scope["query_string"] = b"evidence=false"
    assert middleware._answer(scope) is None
