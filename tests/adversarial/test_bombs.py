"""Zip and gzip bombs, huge records and huge lines: each importer refuses them with one line
naming the file and record, reads no more than its record cap, and stays within bounded
memory (measured as the command's peak resident size)."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from ownergate.limits import MAX_FIELD_CHARS, MAX_RECORD_BYTES
from tests.adversarial.cli import one_error_line
from tests.ip_data import tiny_folder

MiB = 1 << 20
_GLEIF = Path(__file__).parents[1] / "integration" / "importers" / "fixtures" / "gleif"
# The command's own footprint (numpy, pyarrow, numba imported) is about 200 MB; reading up
# to the record cap adds a few times the cap. A bomb read whole would pass a gigabyte.
PEAK_LIMIT_MB = 900

_MEASURE = """
import resource, subprocess, sys
proc = subprocess.run(sys.argv[1:], capture_output=True, text=True, errors="surrogateescape")
sys.stdout.write(proc.stderr)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
sys.stderr.write(f"{proc.returncode} {peak}")
"""


def run_measured(*args: str | Path, **env: str) -> tuple[subprocess.CompletedProcess[str], int]:
    """``ownergate ARGS`` and its peak resident size in MB (of that process alone)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("OWNERGATE_")}
    wrapper = subprocess.run(
        [sys.executable, "-c", _MEASURE, sys.executable, "-m", "ownergate", *map(str, args)],
        capture_output=True,
        text=True,
        errors="surrogateescape",
        env={**base, "COLUMNS": "120", **env},
        timeout=600,
    )
    code, peak = (int(x) for x in wrapper.stderr.split()[-2:])
    proc = subprocess.CompletedProcess(args, code, "", wrapper.stdout)
    return proc, peak


def _zip(path: Path, member: str, chunks: list[bytes], repeat: bytes, times: int) -> Path:
    """A zip whose one member is ``chunks[0] + repeat * times + chunks[1]``, written in
    pieces: the bomb never exists uncompressed."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open(member, "w", force_zip64=True) as out:
            out.write(chunks[0])
            for _ in range(times):
                out.write(repeat)
            out.write(chunks[1])
    return path


@pytest.mark.slow
def test_a_zipped_xml_record_of_a_gigabyte_is_refused_at_the_cap(tmp_path: Path) -> None:
    head = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<LEIData xmlns="http://www.gleif.org/data/schema/leidata/2016">\n<LEIRecords>\n'
        b"<LEIRecord><LEI>5493001KJTIIGC8Y1R12</LEI><Entity><LegalName>"
    )
    tail = b"</LegalName></Entity></LEIRecord>\n</LEIRecords>\n</LEIData>\n"
    bomb = _zip(tmp_path / "lei.zip", "lei.xml", [head, tail], b"A" * MiB, 1024)
    assert bomb.stat().st_size < 3 * MiB  # a gigabyte inside
    proc, peak = run_measured(
        "ingest", "gleif", bomb, "--snapshot", "s", OWNERGATE_DATA_DIR=str(tmp_path / "d")
    )
    line = one_error_line(proc)
    assert "record 1" in line and "larger than" in line
    assert peak < PEAK_LIMIT_MB, peak


@pytest.mark.slow
def test_a_zipped_json_record_of_a_gigabyte_is_refused_at_the_cap(tmp_path: Path) -> None:
    head = b'{"records": [{"LEI": {"$": "5493001KJTIIGC8Y1R12"}, "Entity": {"LegalName": {"$": "'
    tail = b'"}}}]}'
    bomb = _zip(tmp_path / "lei.zip", "lei.json", [head, tail], b"A" * MiB, 1024)
    proc, peak = run_measured(
        "ingest", "gleif", bomb, "--snapshot", "s", OWNERGATE_DATA_DIR=str(tmp_path / "d")
    )
    line = one_error_line(proc)
    assert "line 1" in line and "larger than" in line
    assert peak < PEAK_LIMIT_MB, peak


def test_an_xml_record_of_countless_small_elements_is_refused(tmp_path: Path) -> None:
    names = b"<OtherEntityName>x</OtherEntityName>" * 200_000
    path = tmp_path / "lei.xml"
    path.write_bytes(
        b'<LEIData xmlns="http://www.gleif.org/data/schema/leidata/2016"><LEIRecords>'
        b"<LEIRecord><LEI>5493001KJTIIGC8Y1R12</LEI><Entity><LegalName>X</LegalName>"
        b"<OtherEntityNames>" + names + b"</OtherEntityNames></Entity></LEIRecord>"
        b"</LEIRecords></LEIData>"
    )
    proc, _ = run_measured(
        "ingest", "gleif", path, "--snapshot", "s", OWNERGATE_DATA_DIR=str(tmp_path / "d")
    )
    line = one_error_line(proc)
    assert "record 1" in line and "elements" in line


@pytest.mark.slow
def test_a_gzip_bomb_of_one_endless_line_is_refused_by_ip_update(tmp_path: Path) -> None:
    folder = tiny_folder(tmp_path / "ip")
    manifest = (folder / "sources.toml").read_text().replace("lists/tor.txt", "lists/tor.txt.gz")
    (folder / "sources.toml").write_text(manifest.split("[checksums]")[0])
    with gzip.open(folder / "lists" / "tor.txt.gz", "wb", compresslevel=9) as out:
        for _ in range(1024):
            out.write(b"1" * MiB)  # a gigabyte without a newline
    assert (folder / "lists" / "tor.txt.gz").stat().st_size < 3 * MiB
    proc, peak = run_measured(
        "ip", "update", "--from", folder, OWNERGATE_IP_DATA_DIR=str(tmp_path / "data")
    )
    line = one_error_line(proc)
    assert "tor.txt.gz" in line and "line 1" in line and "larger than" in line
    assert peak < PEAK_LIMIT_MB, peak


def _huge_line_file(path: Path, fmt: str) -> Path:
    filler = "A" * (MAX_RECORD_BYTES + MiB)
    if fmt == "bods":
        path.write_text('{"statementId": "s1", "x": "' + filler + '"}\n')
    elif fmt == "ftm":
        path.write_text('{"id": "e1", "schema": "Company", "x": "' + filler + '"}\n')
    else:  # a GLEIF golden-copy CSV line
        header = (_GLEIF / "lei2.csv").read_text().splitlines()[0]
        path.write_text(header + "\n5493001KJTIIGC8Y1R12," + filler + "\n")
    return path


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["bods", "ftm", "gleif"])
def test_a_line_over_the_record_cap_is_refused(tmp_path: Path, fmt: str) -> None:
    path = _huge_line_file(tmp_path / f"big.{'csv' if fmt == 'gleif' else 'jsonl'}", fmt)
    proc, peak = run_measured(
        "ingest", fmt, path, "--snapshot", "s", OWNERGATE_DATA_DIR=str(tmp_path / "d")
    )
    line = one_error_line(proc)
    assert "line" in line and "larger than" in line, line
    assert peak < PEAK_LIMIT_MB, peak


def _long_field(tmp_path: Path, fmt: str) -> tuple[Path, ...]:
    long = "N" * (MAX_FIELD_CHARS + 1)
    if fmt == "bods":
        statement = {
            "statementId": "s1", "statementDate": "2021-01-01", "recordId": "e1",
            "recordType": "entity", "recordStatus": "new",
            "publicationDetails": {"publicationDate": "2024-01-01", "bodsVersion": "0.4",
                                   "publisher": {"name": "t"}},
            "recordDetails": {"isComponent": False, "entityType": {"type": "registeredEntity"},
                              "name": long},
        }  # fmt: skip
        path = tmp_path / "s.jsonl"
        path.write_text(json.dumps(statement) + "\n")
        return (path,)
    if fmt == "ftm":
        path = tmp_path / "e.ftm.json"
        path.write_text(
            json.dumps({"id": "e1", "schema": "Company", "properties": {"name": [long]}})
        )
        return (path,)
    if fmt == "gleif":
        path = tmp_path / "lei.json"
        record = {"LEI": {"$": "5493001KJTIIGC8Y1R12"}, "Entity": {"LegalName": {"$": long}}}
        path.write_text(json.dumps({"records": [record]}))
        return (path,)
    entities, ownership = tmp_path / "e.csv", tmp_path / "o.csv"
    entities.write_text(f"id,name,country\nA,ok,DE\nB,{long},DE\n")
    ownership.write_text("owner,owned,share\nA,B,0.5\n")
    return entities, ownership


@pytest.mark.parametrize("fmt", ["bods", "ftm", "gleif", "interchange"])
def test_a_field_over_the_field_cap_is_refused_naming_it(tmp_path: Path, fmt: str) -> None:
    files = _long_field(tmp_path, fmt)
    proc, _ = run_measured(
        "ingest", fmt, *files, "--snapshot", "s", OWNERGATE_DATA_DIR=str(tmp_path / "d")
    )
    line = one_error_line(proc)
    assert f"longer than {MAX_FIELD_CHARS:,} characters" in line, line
    assert "name" in line.lower(), line
