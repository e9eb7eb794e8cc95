"""Field and parameter types the /v1 routes share.

Numeric ids in paths are bounded to what the store's columns hold (a larger number would be
a database error, not a 404). Free text refuses unpaired surrogates, which JSON can carry
(``"\\ud800"``) but no database encoding can store.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import Path, Query
from pydantic import AfterValidator, BeforeValidator, Field, StrictStr

from ownergate.api.models import ResourceId

MAX_BIGINT = 2**63 - 1
MAX_POLICY_VERSION = 2**31 - 1
MAX_PAGE = 500
DIGEST_PATTERN = r"^[0-9a-f]{64}$"
SNAPSHOT_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$"


def encodable(value: str) -> str:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("contains an unpaired surrogate") from None
    return value


def _iso_string(value: object) -> object:
    if not isinstance(value, str | dt.datetime):
        raise ValueError("expected an ISO 8601 string")
    return value


def _aware(value: dt.datetime) -> dt.datetime:
    # RFC 3339 date-times (the schema's format) have an offset, so this refuses only what
    # the document calls invalid; a valid one can still be out of range in UTC (year 1 at
    # +01:00), which the service refuses.
    if value.utcoffset() is None:
        raise ValueError("needs a time zone, e.g. 2026-01-31T00:00:00Z")
    return value


Name = Annotated[StrictStr, Field(min_length=1, max_length=500), AfterValidator(encodable)]
EntityRef = Annotated[StrictStr, Field(min_length=1, max_length=200), AfterValidator(encodable)]
ReasonText = Annotated[StrictStr, Field(min_length=1, max_length=4000), AfterValidator(encodable)]
CountryCode = Annotated[
    StrictStr, Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2, e.g. SG")
]
Lei = Annotated[
    StrictStr,
    Field(pattern=r"^[0-9A-Z]{18}[0-9]{2}$", description="ISO 17442 Legal Entity Identifier"),
]
Amount = Annotated[
    StrictStr,
    Field(
        pattern=r"^[0-9]{1,24}(\.[0-9]{1,6})?$",
        description="A non-negative decimal as a string, e.g. 1250000.00",
    ),
]
CurrencyCode = Annotated[StrictStr, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217, e.g. EUR")]
ShareText = Annotated[
    StrictStr,
    Field(
        min_length=1,
        max_length=40,
        pattern=r"^[0-9][0-9_.]*%?$",
        description="A decimal in [0, 1] or a percentage, e.g. 0.6 or 60%",
    ),
]
AwareDateTime = Annotated[dt.datetime, BeforeValidator(_iso_string), AfterValidator(_aware)]

AccountId = ResourceId
OverrideId = Annotated[int, Path(ge=1, le=MAX_BIGINT)]
DecisionId = Annotated[int, Path(ge=1, le=MAX_BIGINT)]
PolicyVersionNo = Annotated[int, Path(ge=1, le=MAX_POLICY_VERSION)]
Digest = Annotated[str, Path(pattern=DIGEST_PATTERN, description="SHA-256 of the snapshot")]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description="Items per page")]
Cursor = Annotated[
    str | None,
    Query(
        pattern=r"^[0-9]{1,18}$",
        description="The `next_cursor` of the previous page",
    ),
]
