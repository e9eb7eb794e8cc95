"""``ingest`` from several sources, ``diff``, ``validate`` and ``explain`` on snapshots."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.test_cli import ENTITIES, OWNERSHIP, run


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_sources_merge_by_precedence_and_diff_names_the_change(tmp_path: Path) -> None:
    data = {"OWNERGATE_DATA_DIR": str(tmp_path / "data")}
    base = run("ingest", "interchange", ENTITIES, OWNERSHIP, "--snapshot", "base", **data)
    assert base.returncode == 0, base.stderr
    # A vendor file says the CN parent holds 40% of SGS where the registry says 60%.
    vendor_e = _write(tmp_path / "ve.csv", "id,name,country\nCNP,Sino Parent,CN\nSGS,Lion,SG\n")
    vendor_o = _write(tmp_path / "vo.csv", "owner,owned,share\nCNP,SGS,0.4\n")
    sources = _write(
        tmp_path / "sources.toml",
        '[[source]]\nformat = "interchange"\npaths = ["ve.csv", "vo.csv"]\n\n'
        '[[source]]\nformat = "snapshot"\npaths = ["base"]\n',
    )
    merged = run("ingest", "--sources", sources, "--snapshot", "vendor-first", **data)
    assert merged.returncode == 0, merged.stderr
    assert "1 holdings also stated by a higher-precedence source" in merged.stdout
    assert "1 conflicts between sources" in merged.stdout
    checked = run("validate", "--snapshot", "vendor-first", **data)
    assert checked.returncode == 0, checked.stderr
    assert "CNP -> SGS (equity)" in checked.stdout and "Sources of vendor-first" in checked.stdout
    out = tmp_path / "changes.jsonl"
    changed = run("diff", "base", "vendor-first", "--out", out, **data)
    assert changed.returncode == 0, changed.stderr
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    holding = [r for r in rows if r["object"] == "holding"]
    assert [(r["change"], r["owner"], r["owned"], r["old"], r["new"]) for r in holding] == [
        ("changed", "CNP", "SGS", "60%", "40%")
    ]
    explained = run("explain", "SGS", "--snapshot", "vendor-first", "--json", **data)
    doc = json.loads(explained.stdout)
    assert doc["decision"]["status"] == "allowed"  # the vendor's 40% won
    sources_used = {h["source"] for h in doc["provenance"]["holdings"]}
    assert sources_used == {0}
    shown = run("explain", "DEG", "--snapshot", "vendor-first", **data)
    assert "sources (snapshot vendor-first)" in shown.stdout


def test_bad_arguments_are_one_line_errors(tmp_path: Path) -> None:
    data = {"OWNERGATE_DATA_DIR": str(tmp_path / "data")}
    nothing = run("ingest", "--snapshot", "x", **data)
    assert nothing.returncode == 1 and "FORMAT PATH" in nothing.stderr
    bad = run("ingest", "cobol", "a.txt", "--snapshot", "x", **data)
    assert bad.returncode == 1 and "unknown format 'cobol'" in bad.stderr
    missing = run(
        "ingest", "interchange", tmp_path / "no.csv", OWNERSHIP, "--snapshot", "x", **data
    )
    assert missing.returncode == 2 and "no.csv: file not found" in missing.stderr
    assert not (tmp_path / "data" / "refs" / "x").exists()
