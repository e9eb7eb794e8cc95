"""The ``ownergate`` command as a user runs it: a real subprocess on small files."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

FIXTURES = Path(__file__).parent / "fixtures"
ENTITIES = FIXTURES / "entities.csv"
OWNERSHIP = FIXTURES / "ownership.csv"


def run(*args: str | Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ownergate", *map(str, args)],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "120", **env},
        timeout=300,
    )


def test_screen_writes_every_decision_and_a_summary(tmp_path: Path) -> None:
    out = tmp_path / "decisions.csv"
    proc = run("screen", "-e", ENTITIES, "-o", OWNERSHIP, "--out", out, "--as-of", "2026-01-01")
    assert proc.returncode == 0, proc.stderr
    rows = {r["id"]: r for r in csv.DictReader(out.open())}
    assert set(rows) == {"CNP", "SGS", "DEG", "USX", "JV", "MIN", "HOLD"}
    assert (rows["CNP"]["status"], rows["CNP"]["reason"]) == ("restricted", "region")
    assert (rows["SGS"]["status"], rows["SGS"]["reason"]) == ("restricted", "ownership")
    assert rows["DEG"]["status"] == "restricted"  # 100% by a restricted owner, wherever it is
    assert rows["JV"]["status"] == "review"
    assert rows["MIN"]["status"] == "allowed"  # a CN minority stake through a neutral holder
    assert "held by 1 restricted owner(s); largest CNP" in rows["SGS"]["evidence"]
    assert "Decisions for 7 entities" in proc.stdout
    assert "By seed region" in proc.stdout


@pytest.mark.parametrize("suffix", [".parquet", ".jsonl"])
def test_screen_output_format_follows_the_extension(tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"decisions{suffix}"
    proc = run("screen", "-e", ENTITIES, "-o", OWNERSHIP, "--out", out, "-q")
    assert proc.returncode == 0, proc.stderr
    if suffix == ".parquet":
        names = pq.read_table(out).column_names
    else:
        names = list(json.loads(out.read_text().splitlines()[0]))
    assert names == ["id", "status", "reason", "share_min", "share_max", "method", "evidence"]


def test_explain_json_verifies_offline(tmp_path: Path) -> None:
    proc = run("explain", "DEG", "-e", ENTITIES, "-o", OWNERSHIP, "--json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["decision"]["status"] == "restricted"
    evidence = tmp_path / "deg.json"
    evidence.write_text(proc.stdout)
    check = run("verify", evidence)
    assert check.returncode == 0 and "verified" in check.stdout
    doc["decision"]["status"] = "allowed"
    evidence.write_text(json.dumps(doc))
    tampered = run("verify", evidence)
    assert tampered.returncode == 1 and "mismatch: status" in tampered.stderr


def test_explain_review_names_the_deciding_band() -> None:
    proc = run("explain", "JV", "-e", ENTITIES, "-o", OWNERSHIP)
    assert proc.returncode == 0, proc.stderr
    assert "the 25%–75% band of SGS in JV decides this" in proc.stdout


def test_explain_unknown_id_exits_3() -> None:
    proc = run("explain", "NOPE", "-e", ENTITIES, "-o", OWNERSHIP)
    assert proc.returncode == 3
    assert "no entity with id 'NOPE'" in proc.stderr


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


BAD_INPUTS = [
    # (file to replace, content, expected fragments of the one-line error)
    ("entities", "name,country\nA,CN\n", ["entities.csv", "field 'id'", "missing"]),
    ("entities", "id,country\nA,CN\nB,CHN\n", ["entities.csv", "line 3", "field 'country'", "CHN"]),
    ("ownership", "owner,owned,share\nA,B,1.3\n", ["ownership.csv", "line 2", "field 'share'"]),
    (
        "ownership",
        "owner,owned,share\nA,Z,0.5\n",
        ["ownership.csv", "line 2", "field 'owned'", "Z"],
    ),
    ("policy", 'regions = ["CN"\n', ["policy.toml", "malformed TOML"]),
    ("policy", 'regions = ["CHN"]\n', ["policy.toml", "field 'regions'", "CHN"]),
]


@pytest.mark.parametrize(("which", "content", "fragments"), BAD_INPUTS)
def test_bad_input_exits_2_with_one_line_naming_file_row_field(
    tmp_path: Path, which: str, content: str, fragments: list[str]
) -> None:
    entities = _write(tmp_path / "entities.csv", "id,country\nA,CN\nB,SG\n")
    ownership = _write(tmp_path / "ownership.csv", "owner,owned,share\nA,B,0.6\n")
    args: list[str | Path] = [
        "screen",
        "-e",
        entities,
        "-o",
        ownership,
        "--out",
        tmp_path / "d.csv",
    ]
    if which == "entities":
        _write(entities, content)
    elif which == "ownership":
        _write(ownership, content)
    else:
        args += ["--policy", _write(tmp_path / "policy.toml", content)]
    proc = run(*args)
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    message = proc.stderr.strip()
    assert message.count("\n") == 0, message
    for fragment in fragments:
        assert fragment in message
    assert not (tmp_path / "d.csv").exists()


def test_synth_is_deterministic(tmp_path: Path) -> None:
    for name in ("a", "b"):
        proc = run("synth", "--edges", "3000", "--seed", "5", "--out", tmp_path / name)
        assert proc.returncode == 0, proc.stderr
    for table in ("entities.parquet", "ownership.parquet"):
        a = pq.read_table(tmp_path / "a" / table)
        b = pq.read_table(tmp_path / "b" / table)
        assert a.equals(b)
    assert pq.read_table(tmp_path / "a" / "ownership.parquet").num_rows == 3000


def test_policy_comes_from_the_environment_when_not_given(tmp_path: Path) -> None:
    policy = _write(tmp_path / "sg.toml", 'regions = ["SG"]\n')
    out = tmp_path / "d.csv"
    args = ("screen", "-e", ENTITIES, "-o", OWNERSHIP, "--out", out, "-q")
    proc = run(*args, OWNERGATE_POLICY=str(policy))
    assert proc.returncode == 0, proc.stderr
    rows = {r["id"]: r for r in csv.DictReader(out.open())}
    assert (rows["SGS"]["status"], rows["SGS"]["reason"]) == ("restricted", "region")
    assert rows["CNP"]["status"] == "allowed"
    missing = run(*args, OWNERGATE_POLICY=str(tmp_path / "nope.toml"))
    assert missing.returncode == 1
    assert "OWNERGATE_POLICY names no file" in missing.stderr


def test_ingest_then_screen_the_snapshot_like_the_files(tmp_path: Path) -> None:
    data = {"OWNERGATE_DATA_DIR": str(tmp_path / "data")}
    proc = run("ingest", "-e", ENTITIES, "-o", OWNERSHIP, "--snapshot", "week-48", **data)
    assert proc.returncode == 0, proc.stderr
    assert "snapshot week-48" in proc.stdout and "7 entities, 6 holdings" in proc.stdout
    again = run("ingest", "-e", ENTITIES, "-o", OWNERSHIP, "--snapshot", "week-48", **data)
    assert again.returncode == 2 and "immutable" in again.stderr
    listing = run("snapshots", **data)
    assert "week-48" in listing.stdout
    from_files, from_snapshot = tmp_path / "f.csv", tmp_path / "s.csv"
    files = run("screen", "-e", ENTITIES, "-o", OWNERSHIP, "--out", from_files, "-q", **data)
    snap = run("screen", "--snapshot", "week-48", "--out", from_snapshot, "-q", **data)
    assert files.returncode == 0 and snap.returncode == 0, snap.stderr
    # The same decisions; a snapshot lists its entities in dependency order (owners first).
    files_lines, snap_lines = (
        from_files.read_text().splitlines(),
        from_snapshot.read_text().splitlines(),
    )
    assert files_lines[0] == snap_lines[0]
    assert sorted(files_lines[1:]) == sorted(snap_lines[1:])
    listed = [line.split(",")[0].strip('"') for line in snap_lines[1:]]
    assert listed.index("CNP") < listed.index("SGS") < listed.index("DEG")
    explained = run("explain", "DEG", "--snapshot", "week-48", **data)
    assert explained.returncode == 0 and "RESTRICTED" in explained.stdout
    both = run("screen", "--snapshot", "week-48", "-e", ENTITIES, "--out", from_files, **data)
    assert both.returncode == 1 and "either --snapshot" in both.stderr


def test_validate_reports_what_is_wrong_with_the_data(tmp_path: Path) -> None:
    entities = _write(tmp_path / "e.csv", "id,country\nA,CN\nB,\nC,SG\nD,SG\nLONE,US\n")
    ownership = _write(
        tmp_path / "o.csv",
        "owner,owned,share,nominee_for,end\n"
        "A,B,0.7,,\n"
        "C,B,0.6,,\n"  # 130% of B
        "B,B,0.1,,\n"  # treasury shares: part of the capital, 140% in all
        "C,D,0.5,,\n"
        "D,C,0.5,,\n"  # a cross-holding
        "A,D,,C,2020-01-01\n",  # unknown, through a nominee, ended
    )
    proc = run("validate", "-e", entities, "-o", ownership, "--as-of", "2026-01-01")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    for check, count in [
        ("treasury shares (self-holdings)", 1),
        ("unknown shares", 1),
        ("held through a nominee", 1),
        ("dated holdings", 1),
        ("holdings not valid on the as-of date", 1),
        ("entities without a headquarters country", 1),
        ("entities without any holding", 1),
        ("entities whose equity stakes sum over 100%", 1),
        ("cross-holding components (cycles)", 1),
        ("entities in cross-holdings", 2),
    ]:
        line = next(x for x in out.splitlines() if check in x)
        assert line.split("│")[2].strip() == str(count), line
    assert "140.00%" in out
    # Each count names the entities (or holdings) behind it.
    named = {x.split("│")[1].strip(): x.split("│")[3].strip() for x in out.splitlines()
             if x.count("│") == 4}  # fmt: skip
    assert named["treasury shares (self-holdings)"] == "B → B"
    assert named["entities whose equity stakes sum over 100%"] == "B"
    assert named["entities in cross-holdings"] == "C, D"
    assert named["entities without any holding"] == "LONE"
