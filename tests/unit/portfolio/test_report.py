"""The HTML report: self-contained, leadership-formatted, whole even when nothing flips."""

from __future__ import annotations

import datetime as dt

import pytest

from ownergate.policy.model import default_policy
from ownergate.portfolio.report import ReportContext, money, render_report
from tests.unit.portfolio.test_impact import run


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.0, "$0"),
        (950.0, "$950"),
        (45_600.0, "$45.6k"),
        (123_400_000.0, "$123.4M"),
        (1_234_000_000.0, "$1.2B"),
        (-2_500_000.0, "-$2.5M"),
    ],
)
def test_money_reads_as_leadership_expects(value: float, text: str) -> None:
    assert money(value) == text


def test_a_report_with_no_flips_is_still_whole() -> None:
    pol = default_policy()
    impact = run(pol, pol)
    ctx = ReportContext(
        "A", "B", pol.describe(), pol.describe(), "registry", dt.date(2026, 1, 1), "c"
    )
    html = render_report(impact, ctx)
    assert html.count("<svg") == 3
    assert "<script" not in html and "https://" not in html
    assert html.rstrip().endswith("</html>")
    assert "<p class=note>none</p>" in html


def test_chinese_group_names_are_page_text_and_draw_no_glyph_warnings(
    recwarn: pytest.WarningsRecorder,
) -> None:
    import dataclasses

    from ownergate.portfolio.impact import Tally

    pol = default_policy()
    impact = dataclasses.replace(
        run(pol, pol),
        top_groups=(
            Tally("CN1", "深圳华信科技有限公司", 3, 2_500_000.0),
            Tally("CN2", "北京星辰控股有限公司", 1, 900_000.0),
        ),
    )
    ctx = ReportContext("A", "B", pol.describe(), pol.describe(), "r", dt.date(2026, 1, 1), "c")
    html = render_report(impact, ctx)
    chart = html[html.index("Top 10 groups by revenue newly restricted") :]
    chart = chart[: chart.index("</figure>")]
    assert "深圳华信科技有限公司" in chart and "$2.5M" in chart
    assert "北京星辰控股有限公司" in chart and "$900.0k" in chart
    assert not [w for w in recwarn if "Glyph" in str(w.message)]
