"""How errors show values: one helper, escaped and cut, and a message always one line."""

from __future__ import annotations

from ownergate.errors import InputError, one_line, shown


def test_a_value_is_escaped_and_cut_with_its_length() -> None:
    value = "id\n\x1b[2Kerror: forged" + "x" * 1_000_000
    text = shown(value)
    assert "\n" not in text and "\x1b" not in text
    assert "\\n" in text and "\\x1b" in text
    assert len(text) < 260 and text.endswith("(1,000,020 characters)")
    assert shown("plain") == "'plain'"


def test_a_message_cannot_hold_a_second_line() -> None:
    error = InputError("bad\nerror: forged", file="a\x1bb.csv", record="line 1\u2028")
    rendered = str(error)
    assert "\n" not in rendered and "\x1b" not in rendered and "\u2028" not in rendered
    assert rendered == "a\\x1bb.csv, line 1\\u2028: bad\\nerror: forged"
    assert len(one_line("y" * 10_000)) == 800
