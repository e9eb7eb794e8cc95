"""``ingest`` from several sources, ``diff``, ``validate`` and ``explain`` on snapshots."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from ownergate.snapshots import SnapshotStore
from tests.e2e.test_cli import ENTITIES, OWNERSHIP, run


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_sources_merge_by_precedence_and_diff_names_the_change(tmp_path: Path) -> None:
    data = {"OWNERGATE_DATA_DIR": str(tmp_path / "data")}
    base = run("ingest", "interchange", ENTITIES, OWNERSHIP, "--snapshot", "base", **data)
    assert base.returncode == 0, base.stderr
    # A vendor file says the CN parent holds 40% of SGS where the registry says 60%.
    _write(tmp_path / "ve.csv", "id,name,country\nCNP,Sino Parent,CN\nSGS,Lion,SG\n")
    _write(tmp_path / "vo.csv", "owner,owned,share\nCNP,SGS,0.4\n")
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


FTM = Path(__file__).parents[1] / "integration" / "importers" / "fixtures" / "ftm"
BODS = Path(__file__).parents[1] / "integration" / "importers" / "fixtures" / "bods"


def test_a_malformed_record_writes_nothing_unless_skipped(tmp_path: Path) -> None:
    data = {"OWNERGATE_DATA_DIR": str(tmp_path / "data")}
    lines = (FTM / "group.ftm.json").read_text(encoding="utf-8").splitlines()
    lines[0] = lines[0].replace('"percentage": ["51"]', '"percentage": ["fifty-one"]')
    bad = _write(tmp_path / "bad.ftm.json", "\n".join(lines) + "\n")
    strict = run("ingest", "ftm", bad, "--snapshot", "s", **data)
    assert strict.returncode == 2
    assert "bad.ftm.json, line 1" in strict.stderr and "properties.percentage" in strict.stderr
    assert not (tmp_path / "data" / "refs" / "s").exists()
    rejects = tmp_path / "rejects.jsonl"
    lenient = run(
        "ingest", "ftm", bad, "--snapshot", "s", "--skip-invalid", "--rejects", rejects, **data
    )
    assert lenient.returncode == 0, lenient.stderr
    assert "1 rejected records written to" in lenient.stdout
    (rejected,) = [json.loads(line) for line in rejects.read_text().splitlines()]
    assert rejected["field"].startswith("properties.percentage")
    assert "fifty-one" in rejected["raw"]
    report = run("validate", "--snapshot", "s", **data)
    assert "records rejected (--skip-invalid)" in report.stdout


def test_formats_import_and_explain_with_their_stated_facts(tmp_path: Path) -> None:
    data = {"OWNERGATE_DATA_DIR": str(tmp_path / "data")}
    ftm = run(
        "ingest", "ftm", FTM / "group.ftm.json", FTM / "gamma.array.json", "--snapshot", "f",
        "--listed-topic", "sanction", **data,
    )  # fmt: skip
    assert ftm.returncode == 0, ftm.stderr
    bods = run("ingest", "bods", BODS / "package_04.json", "--snapshot", "b", **data)
    assert bods.returncode == 0, bods.stderr
    listing = run("snapshots", **data)
    assert " f " in listing.stdout and " b " in listing.stdout
    out = tmp_path / "d.csv"
    screened = run("screen", "--snapshot", "f", "--out", out, "-q", **data)
    assert screened.returncode == 0, screened.stderr
    explained = run("explain", "fx-krasna", "--snapshot", "f", "--json", **data)
    doc = json.loads(explained.stdout)
    assert doc["decision"]["reason"] in ("region", "listed")
    kinds = {f["kind"] for f in doc["provenance"]["facts"]}
    assert "topic" in kinds


def test_interchange_files_skip_invalid_records_and_what_names_them(tmp_path: Path) -> None:
    data = {"OWNERGATE_DATA_DIR": str(tmp_path / "data")}
    entities = _write(
        tmp_path / "e.csv", "id,name,country\nCN1,Sino,CN\nBAD,Typo,CHN\nSG1,Lion,SG\n"
    )
    ownership = _write(
        tmp_path / "o.csv",
        "owner,owned,share\nCN1,SG1,0.6\nBAD,SG1,0.2\nCN1,SG1,150%\n",
    )
    strict = run("ingest", "interchange", entities, ownership, "--snapshot", "s", **data)
    assert strict.returncode == 2 and "e.csv, line 3, field 'country'" in strict.stderr
    rejects = tmp_path / "r.jsonl"
    lenient = run(
        "ingest", "interchange", entities, ownership, "--snapshot", "s",
        "--skip-invalid", "--rejects", rejects, **data,
    )  # fmt: skip
    assert lenient.returncode == 0, lenient.stderr
    rows = [json.loads(line) for line in rejects.read_text().splitlines()]
    assert [(Path(r["file"]).name, r["record"], r["field"]) for r in rows] == [
        ("e.csv", "line 3", "country"),
        ("o.csv", "line 3", "owner"),
        ("o.csv", "line 4", "share"),
    ]
    assert rows[0]["raw"] == "BAD,Typo,CHN"
    out = tmp_path / "d.csv"
    assert run("screen", "--snapshot", "s", "--out", out, "-q", **data).returncode == 0
    assert '"SG1","restricted","ownership",0.6' in out.read_text()


_GLEIF = Path(__file__).parents[1] / "integration" / "importers" / "fixtures" / "gleif"


def _consolidations(data: Path, name: str) -> list[tuple[object, ...]]:
    """The holdings a GLEIF consolidation made in snapshot ``name``, as plain tuples."""
    snap = SnapshotStore(data).get(name)
    table = pq.read_table(snap.path / "holdings.parquet").to_pylist()
    return sorted(
        tuple(sorted((k, v) for k, v in row.items() if k not in ("source",)))
        for row in table
        if row["relation"] == "IS_DIRECTLY_CONSOLIDATED_BY"
    )


@pytest.mark.parametrize(
    "setting",
    [
        "low=0.6",
        "high=90%",
        "low_exclusive=false",
        "high_exclusive=true",
        "basis=equity",
        "equity_unknown=false",
    ],
)
def test_each_consolidation_setting_changes_the_imported_holdings(
    tmp_path: Path, setting: str
) -> None:
    from typer.testing import CliRunner

    from ownergate.cli.main import app

    env = {"OWNERGATE_DATA_DIR": str(tmp_path / "data")}
    files = [str(_GLEIF / "goldencopy-lei2.json"), str(_GLEIF / "goldencopy-rr.json")]
    runner = CliRunner()
    base = runner.invoke(app, ["ingest", "gleif", *files, "--snapshot", "base", "-q"], env=env)
    assert base.exit_code == 0, base.output
    changed = runner.invoke(
        app,
        ["ingest", "gleif", *files, "--snapshot", "set", "-q", "--consolidation", setting],
        env=env,
    )
    assert changed.exit_code == 0, changed.output
    before = _consolidations(tmp_path / "data", "base")
    after = _consolidations(tmp_path / "data", "set")
    assert before and after and before != after
    store = SnapshotStore(tmp_path / "data")
    rules = [store.get(n).manifest["sources"][0]["consolidation"] for n in ("base", "set")]
    assert rules[0] != rules[1]  # the manifest records the rule the holdings were made by


def test_a_bad_consolidation_setting_names_it(tmp_path: Path) -> None:
    env = {"OWNERGATE_DATA_DIR": str(tmp_path / "data")}
    rr = _GLEIF / "goldencopy-rr.json"
    bad = run("ingest", "gleif", rr, "--snapshot", "x", "--consolidation", "colour=red", **env)
    assert bad.returncode == 1 and "unknown consolidation setting(s) colour" in bad.stderr
    odd = run("ingest", "gleif", rr, "--snapshot", "x", "--consolidation", "basis", **env)
    assert odd.returncode == 1 and "use KEY=VALUE" in odd.stderr
    elsewhere = run(
        "ingest", "interchange", ENTITIES, OWNERSHIP, "--snapshot", "x",
        "--consolidation", "basis=equity", **env,
    )  # fmt: skip
    assert elsewhere.returncode == 1 and "applies to gleif sources" in elsewhere.stderr
    topic = run(
        "ingest", "gleif", rr, "--snapshot", "x", "--listed-topic", "sanction", **env
    )  # fmt: skip
    assert topic.returncode == 1 and "applies to ftm sources" in topic.stderr
