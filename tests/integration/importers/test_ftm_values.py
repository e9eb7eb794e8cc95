"""FtM value forms: percentages, partial dates and country codes."""

from __future__ import annotations

import datetime as dt

import pytest

from ownergate.domain.shares import Share
from ownergate.errors import InputError
from ownergate.importers.ftm_values import Where, country, parse_date, parse_percentage

HERE = Where("f.json", "line 1 (id fx)")


@pytest.mark.parametrize(
    ("text", "share"),
    [
        ("51", Share.exact("0.51")),
        ("51.0", Share.exact("0.51")),
        ("51.", Share.exact("0.51")),
        ("25,5", Share.exact("0.255")),
        ("51%", Share.exact("0.51")),
        ("51 %", Share.exact("0.51")),
        ("0.51", Share.exact("0.0051")),  # FtM percentages are 0-100
        ("100", Share.exact(1)),
        ("0", Share.exact(0)),
        ("33.3333333333333333", Share.exact("0.333333333333333333")),
        ("25-50", Share.between("0.25", "0.5")),
        ("25% - 50%", Share.between("0.25", "0.5")),
        ("25 to 50", Share.between("0.25", "0.5")),
    ],
)
def test_percentages(text: str, share: Share) -> None:
    assert parse_percentage(text, HERE, "properties.percentage[0]") == share


@pytest.mark.parametrize(
    "text",
    ["", "abc", "-1", "100.5", "1e2", "NaN", "50-", "60-40", "1,000,000", "33.33333333333333333"],
)
def test_bad_percentages(text: str) -> None:
    with pytest.raises(InputError) as info:
        parse_percentage(text, HERE, "properties.percentage[0]")
    assert str(info.value).startswith("f.json, line 1 (id fx), field 'properties.percentage[0]'")


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2021", dt.date(2021, 1, 1), dt.date(2022, 1, 1)),
        ("2021-05", dt.date(2021, 5, 1), dt.date(2021, 6, 1)),
        ("2021-12", dt.date(2021, 12, 1), dt.date(2022, 1, 1)),
        (
            "2021-05-03",
            dt.date(2021, 5, 3),
            dt.date(2021, 5, 3),
        ),  # a full end is the day it stopped
        ("2021-05-03T10:20:30", dt.date(2021, 5, 3), dt.date(2021, 5, 3)),
        ("2021-05-03T10:20:30.5+02:00", dt.date(2021, 5, 3), dt.date(2021, 5, 3)),
    ],
)
def test_dates(text: str, start: dt.date, end: dt.date) -> None:
    assert parse_date(text, HERE, "x") == start
    assert parse_date(text, HERE, "x", end=True) == end


@pytest.mark.parametrize("text", ["21", "2021-5", "2021-00", "2021-02-29", "0000", "yesterday"])
def test_bad_dates(text: str) -> None:
    with pytest.raises(InputError):
        parse_date(text, HERE, "x")


def test_the_last_year_cannot_end() -> None:
    with pytest.raises(InputError):
        parse_date("9999", HERE, "x", end=True)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("ru", "RU"),
        ("CN", "CN"),
        ("xk", "XK"),
        ("cn-xz", "CN"),
        ("gb-sct", "GB"),
        ("suhh", None),
        ("zz", None),
        ("x-so", None),
        ("eu", None),
        ("uk", None),
        ("rus", None),
        ("", None),
    ],
)
def test_countries(text: str, code: str | None) -> None:
    assert country(text) == code
