"""Base models and field types for request and response bodies.

Request models forbid unknown fields, so a misspelt field is a 422 rather than silently
ignored. They are not strict as a whole: FastAPI validates the *parsed* JSON in Python mode,
where pydantic's strict mode would refuse ISO dates, decimals given as strings and enum
values. Use the field types below instead: each accepts exactly the JSON its OpenAPI schema
describes, so ``"1"`` is no integer, ``1`` no string and ``0`` no date. (``94.0`` is an
integer to JSON Schema, and so to ``RequestModel`` too.)
"""

from __future__ import annotations

import datetime as dt
import functools
import types
import typing
from typing import Annotated, Any, Generic, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    model_validator,
)

__all__ = [
    "StrictInt",
    "IsoDate",
    "IsoDateTime",
    "Page",
    "RequestModel",
    "ResourceId",
    "ResponseModel",
    "StrictBool",
    "StrictFloat",
    "StrictStr",
    "Text",
]


class RequestModel(BaseModel):
    """Base of every request body: unknown fields are an error, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _integral_floats_are_integers(cls, data: Any) -> Any:
        # A validator on the integer type itself would hide its bounds from the JSON schema.
        if not isinstance(data, dict):
            return data
        fields = _integer_fields(cls)
        return {k: _integral(v) if k in fields else v for k, v in data.items()}


class ResponseModel(BaseModel):
    """Base of every response body; builds from objects too (``model_validate(obj)``)."""

    model_config = ConfigDict(frozen=True, from_attributes=True)


def _integral(value: object) -> object:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_integral(item) for item in value]
    return value


@functools.cache
def _integer_fields(model: type[BaseModel]) -> frozenset[str]:
    """Input names of the fields typed int, ``int | None`` or a list of those."""
    return frozenset(
        field.alias or name
        for name, field in model.model_fields.items()
        if _holds_int(field.annotation)
    )


def _holds_int(annotation: object) -> bool:
    if annotation is int:
        return True
    args = typing.get_args(annotation)
    origin = typing.get_origin(annotation)
    if origin is list:
        return bool(args) and _holds_int(args[0])
    if origin in (typing.Union, types.UnionType):
        return int in args and float not in args
    return False


def _string_only(value: object) -> object:
    # Lax date parsing would take a number as a Unix time.
    if not isinstance(value, str | dt.date):
        raise ValueError("expected an ISO 8601 string")
    return value


IsoDate = Annotated[dt.date, BeforeValidator(_string_only)]
IsoDateTime = Annotated[dt.datetime, BeforeValidator(_string_only)]
# Ids in paths: printable, no slashes, bounded, so they are safe in logs and URLs.
ResourceId = Annotated[
    str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$")
]
# Free text in bodies (names, reasons): a string, bounded.
Text = Annotated[StrictStr, Field(min_length=1, max_length=1000)]

ItemT = TypeVar("ItemT")


class Page(ResponseModel, Generic[ItemT]):
    """One page of a list; ``next_cursor`` is passed back as ``?cursor=`` for the next."""

    items: list[ItemT]
    next_cursor: str | None = None
