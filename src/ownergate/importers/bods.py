"""Beneficial Ownership Data Standard (BODS 0.4, and 0.2/0.3 statements) → ``SourceBatch``.

A file is a JSON array of statements (a package) or JSON Lines (one statement per line),
told apart by its first character. Mapping, and the choices the standard leaves open:

- Entity and person statements become ``EntityRecord``s. The id is the entity's LEI when it
  has an ``XI-LEI`` identifier, else the 0.4 ``recordId`` (0.2/0.3: the ``statementID`` of the
  current entity statement). Country: business address, else registered address, else
  jurisdiction; legal country: jurisdiction (``GB-SCT`` → ``GB``), else registered address.
  A person's country is the residence, else the first nationality; its legal country the
  first nationality. A stock-exchange listing is a ``public_listing`` fact, never ``listed``
  (which means deny-listed in ownergate); ``dissolutionDate`` makes the status "dissolved".
- Relationship interests of type ``shareholding`` (equity) and ``votingRights`` (voting)
  become holdings of the interested party in the subject, with the interest's start/end.
  Interests stated ``indirect`` are ``stated_indirect`` facts, never holdings: the chain they
  summarise is (or should be) stated link by link, and counting both would double count.
  ``unknown`` or unstated directness counts as direct: BODS requires ``indirect`` whenever
  intermediaries are known, so nothing known is counted twice, and dropping a stated stake
  would silently understate ownership. Every other interest type (board seats, trust roles,
  nominee arrangements, other influence or control, an interest without a type) is an
  ``interest`` fact; a relationship with no interests at all is one ``interest`` fact too. An
  unspecified interested party (``reason``) is an ``unspecified_owner`` fact.
- Lifecycle. 0.4: of the statements with one ``recordId`` the latest ``statementDate`` wins
  (then the later one in file order; an undated statement is older than any dated one), and
  ``recordStatus: closed`` removes the record. 0.2/0.3: statements named in another's
  ``replacesStatements`` are dropped, and a reference to a replaced statement follows the
  replacement. Only the current state is imported: a replaced or closed stake's history is
  not kept as dated holdings.
- A relationship referring to a record that is not in the input (or was closed) is invalid.

Not supported: annotations, ``componentRecords`` (component links are imported as the plain
relationships they are), nominee attribution (BODS states nominations as arrangements, not as
"X holds for Y"), partial dates, the 0.1 format and BODS packaged in other containers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, NoReturn

from ownergate.domain.model import Basis
from ownergate.errors import InputError, shown
from ownergate.importers.bods_codes import RecordType
from ownergate.importers.bods_fields import Fields
from ownergate.importers.bods_statements import (
    Interest,
    Party,
    PartyRef,
    Relationship,
    Statement,
    parse_statement,
)
from ownergate.importers.records import EntityRecord, FactRecord, HoldingRecord, SourceBatch
from ownergate.limits import MAX_RECORD_BYTES, describe_bytes

BASES = {"shareholding": Basis.EQUITY, "votingRights": Basis.VOTING}
_SPACE = re.compile(r"[ \t\n\r]*")  # JSON's whitespace
_BOM = b"\xef\xbb\xbf"
_RAW_LIMIT = 10_000  # the raw text kept with the reject of an oversized statement


def read_bods(paths: Sequence[Path], *, skip_invalid: bool = False) -> SourceBatch:
    """Read BODS files (JSON arrays or JSON Lines) into one batch of records.

    A malformed statement raises ``InputError`` naming the file, the statement (id and line)
    and the field; with ``skip_invalid`` it is kept in ``batch.rejects`` instead, and so is
    any relationship that then refers to it. A file that is not JSON at all always raises.
    """
    batch = SourceBatch(source={"format": "bods", "path": ", ".join(str(p) for p in paths)})
    statements: list[Statement] = []
    raws: dict[int, str] = {}
    for path in paths:
        for item in _items(path):
            try:
                if item.error is not None:
                    raise item.error
                fields = Fields(str(path), item.label)
                statement = parse_statement(item.value, fields, len(statements))
            except InputError as err:
                batch.reject_or_raise(err, item.raw, skip_invalid)
                continue
            raws[statement.seq] = item.raw
            statements.append(statement)
    batch.source["version"] = ", ".join(sorted({s.version for s in statements}))
    batch.source["records"] = len(statements) + len(batch.rejects)
    published = [s.published for s in statements if s.published is not None]
    if published:
        batch.source["publication_date"] = max(published).date().isoformat()
    current = _Current(statements, raws, batch, skip_invalid)
    current.add_parties()
    current.add_relationships()
    return batch


@dataclass(frozen=True, slots=True)
class _Item:
    label: str
    value: Any
    raw: str
    error: InputError | None = None


def _items(path: Path) -> Iterator[_Item]:
    """The statements of one file with where they are (a line number) and their raw text."""
    file = str(path)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise InputError(f"cannot read the file: {err.strerror or err}", file=file) from None
    data = data.removeprefix(_BOM)
    if data.lstrip()[:1] == b"[":
        yield from list(_package(data, file))  # a syntax error anywhere fails the whole file
    elif data.lstrip()[:1] in (b"{", b""):
        yield from _lines(data, file)
    else:
        raise InputError(
            "not BODS: expected a JSON array of statements or one statement per line", file=file
        )


def _package(data: bytes, file: str) -> Iterator[_Item]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise InputError(f"not UTF-8 text (byte {err.start})", file=file) from None
    decoder = _decoder()
    at = _skip(text, 0) + 1  # after "["
    line, counted = 1, 0
    first = True
    while True:
        at = _skip(text, at)
        if text[at : at + 1] == "]" and first:
            at += 1
            break
        try:
            value, end = decoder.raw_decode(text, at)
        except (ValueError, RecursionError) as err:
            _bad_json(err, file, text, at)
        line += text.count("\n", counted, at)
        counted = at
        if end - at > MAX_RECORD_BYTES:
            message = f"the record is larger than {describe_bytes(MAX_RECORD_BYTES)}"
            raise InputError(message, file=file, record=f"line {line}")
        raw = text[at:end]
        yield _Item(_label(value, line), value, raw)
        at = _skip(text, end)
        first = False
        if text[at : at + 1] == ",":
            at += 1
        elif text[at : at + 1] == "]":
            at += 1
            break
        else:
            _bad_json(ValueError("expected ',' or ']' after a statement"), file, text, at)
    if text[at:].strip(" \t\n\r"):
        _bad_json(ValueError("text after the closing ']'"), file, text, at)


def _lines(data: bytes, file: str) -> Iterator[_Item]:
    decoder = _decoder()
    for number, chunk in enumerate(data.split(b"\n"), 1):
        if not chunk.strip():
            continue
        label = f"line {number}"
        if len(chunk) > MAX_RECORD_BYTES:
            message = f"the record is larger than {describe_bytes(MAX_RECORD_BYTES)}"
            error = InputError(message, file=file, record=label)
            yield _Item(label, None, chunk[:_RAW_LIMIT].decode("utf-8", "replace"), error)
            continue
        try:
            line = chunk.decode("utf-8")
        except UnicodeDecodeError as err:
            raw = chunk.decode("utf-8", "replace")
            error = InputError(f"not UTF-8 text (byte {err.start})", file=file, record=label)
            yield _Item(label, None, raw, error)
            continue
        try:
            value = decoder.decode(line)
        except (ValueError, RecursionError) as err:
            message = err.msg if isinstance(err, json.JSONDecodeError) else str(err)
            error = InputError(f"not valid JSON: {message}", file=file, record=label)
            yield _Item(label, None, line, error)
            continue
        yield _Item(_label(value, number), value, line)


def _skip(text: str, at: int) -> int:
    found = _SPACE.match(text, at)
    return found.end() if found else at


def _decoder() -> json.JSONDecoder:
    return json.JSONDecoder(parse_float=Decimal, parse_constant=_no_constant)


def _no_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not a JSON number")


def _bad_json(err: Exception, file: str, text: str, at: int) -> NoReturn:
    if isinstance(err, json.JSONDecodeError):
        at, message = err.pos, err.msg
    else:
        message = str(err) if not isinstance(err, RecursionError) else "nested too deeply"
    line = text.count("\n", 0, at) + 1
    raise InputError(f"not valid JSON: {message}", file=file, record=f"line {line}")


def _label(value: Any, line: int) -> str:
    """Where a statement is: its id (what a user searches for) and the line it starts on."""
    if isinstance(value, dict):
        sid = value.get("statementId", value.get("statementID"))
        if isinstance(sid, str) and sid:
            plain = sid.isascii() and sid.isprintable() and len(sid) <= 80
            return f"statement {sid if plain else shown(sid)} (line {line})"
    return f"line {line}"


class _Current:
    """The statements in force after replacements and closures, turned into records."""

    def __init__(
        self, statements: list[Statement], raws: dict[int, str], batch: SourceBatch, skip: bool
    ) -> None:
        self.batch, self.raws, self.skip = batch, raws, skip
        self.closed: dict[str, Statement] = {}
        self.replaced_by: dict[str, str] = {}
        self.current: list[Statement] = []
        self.ids: dict[str, tuple[str, RecordType]] = {}  # key → (entity id, record type)
        latest: dict[str, Statement] = {}
        replaced: set[str] = set()
        for s in statements:
            for old in s.replaces:
                replaced.add(old)
                self.replaced_by.setdefault(old, s.statement_id)
            previous = latest.get(s.key)
            if previous is not None and previous.record_type != s.record_type:
                field = "recordType" if s.has_records else "statementType"
                message = (
                    f"{shown(s.record_type)} differs from {shown(previous.record_type)} in "
                    f"{previous.label}, for the same record {shown(s.key)}"
                )
                self._reject(s, field, message)
            elif previous is None or _newer(s, previous):
                latest[s.key] = s
        # A repeated 0.2/0.3 statement id (overlapping files) counts once, as a 0.4 record does.
        for s in sorted(latest.values(), key=lambda s: s.seq):
            if s.status == "closed":
                self.closed[s.key] = s
            elif s.has_records or s.statement_id not in replaced:
                self.current.append(s)

    def add_parties(self) -> None:
        for s in self.current:
            if isinstance(s.details, Party):
                self._add_party(s, s.details)

    def _add_party(self, s: Statement, party: Party) -> None:
        entity_id = party.lei or s.key
        self.ids[s.key] = (entity_id, s.record_type)
        self.batch.entities.append(
            EntityRecord(
                id=entity_id,
                record=s.label,
                name=party.name,
                kind=party.kind,
                country=party.country,
                legal_country=party.legal_country,
                status=party.status,
                other_names=party.other_names,
                identifiers=party.identifiers,
            )
        )
        for kind, detail in party.facts:
            self.batch.facts.append(FactRecord(entity_id, kind, detail, s.label))

    def add_relationships(self) -> None:
        for s in self.current:
            if isinstance(s.details, Relationship):
                try:
                    self._add_relationship(s, s.details)
                except InputError as err:
                    self.batch.reject_or_raise(err, self.raws[s.seq], self.skip)

    def _add_relationship(self, s: Statement, rel: Relationship) -> None:
        subject = self._resolve(s, rel.subject)
        owner = self._resolve(s, rel.interested)
        facts = self.batch.facts
        if subject is None:  # an unspecified subject: only the owner side can carry a fact
            if owner is not None:
                facts.append(
                    FactRecord(owner, "unspecified_subject", _reason(rel.subject), s.label)
                )
            return
        if owner is None:
            facts.append(FactRecord(subject, "unspecified_owner", _reason(rel.interested), s.label))
            return
        if not rel.interests:
            facts.append(FactRecord(subject, "interest", "no interests stated", s.label, owner))
        for interest in rel.interests:
            basis = BASES.get(interest.type)
            if basis is not None and interest.directness != "indirect":
                self.batch.holdings.append(
                    HoldingRecord(
                        owner=owner,
                        owned=subject,
                        share=interest.share,
                        record=s.label,
                        relation=interest.type,
                        basis=basis,
                        start=interest.start,
                        end=interest.end,
                    )
                )
            else:
                kind = "stated_indirect" if basis is not None else "interest"
                facts.append(FactRecord(subject, kind, _detail(interest), s.label, owner))

    def _resolve(self, s: Statement, ref: PartyRef) -> str | None:
        """The entity id a reference names; ``None`` for an unspecified party."""
        if ref.key is None:
            return None
        key, seen = ref.key, {ref.key}
        while key not in self.ids and key in self.replaced_by and not s.has_records:
            key = self.replaced_by[key]
            if key in seen:
                break
            seen.add(key)
        found = self.ids.get(key)
        if found is None:
            closed = self.closed.get(key)
            why = f"which {closed.label} closed" if closed else "which is not in the input"
            message = f"refers to record {shown(ref.key)}, {why}"
            raise InputError(message, file=s.file, record=s.label, field=ref.field)
        entity_id, record_type = found
        if ref.expects is not None and record_type != ref.expects:
            article = "an" if ref.expects == "entity" else "a"
            message = (
                f"refers to {record_type} record {shown(ref.key)}; expected {article} {ref.expects}"
            )
            raise InputError(message, file=s.file, record=s.label, field=ref.field)
        return entity_id

    def _reject(self, s: Statement, field: str, message: str) -> None:
        err = InputError(message, file=s.file, record=s.label, field=field)
        self.batch.reject_or_raise(err, self.raws[s.seq], self.skip)


def _newer(s: Statement, than: Statement) -> bool:
    """Later ``statementDate`` wins; at equal (or no) dates the later statement in the input."""
    if s.date is None or than.date is None:
        return s.date is not None or than.date is None
    return s.date >= than.date


def _detail(interest: Interest) -> str:
    """``shareholding 30%``, ``boardMember direct``, ``unspecified interest unknown``."""
    if interest.type in BASES:  # a stated indirect stake
        return f"{interest.type} {interest.share.describe()}"
    parts = [interest.type or "unspecified interest", interest.directness]
    if interest.share.known:
        parts.append(interest.share.describe())
    return " ".join(p for p in parts if p)


def _reason(ref: PartyRef) -> str:
    return f"{ref.reason}: {ref.description}" if ref.description else ref.reason
