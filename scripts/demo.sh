#!/usr/bin/env bash
# The main job on the embedded default: synthesise a registry, screen it with the seed
# policy, then explain one restricted foreign subsidiary and re-check that explanation;
# then import real GLEIF records as a snapshot and explain a decision made through them;
# then serve the API over that snapshot and gate a few requests.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
OUT=demo-out
EDGES=${DEMO_EDGES:-1000000}
AS_OF=${DEMO_AS_OF:-2026-11-25}
REG="$OUT/registry-$EDGES"

if [[ ! -f "$REG/ownership.parquet" ]]; then
  echo "== synthesising a registry of $EDGES holdings"
  "$BIN/ownergate" synth --edges "$EDGES" --seed 7 --out "$REG"
fi

echo
echo "== screening it with the seed policy (policies/default.toml)"
"$BIN/ownergate" screen --entities "$REG/entities.parquet" --ownership "$REG/ownership.parquet" \
  --policy policies/default.toml --as-of "$AS_OF" --out "$OUT/decisions.parquet"

ID=$("$BIN/python" scripts/pick_example.py "$OUT/decisions.parquet" "$REG/entities.parquet")
echo
echo "== why is $ID, a foreign subsidiary, restricted?"
"$BIN/ownergate" explain "$ID" --entities "$REG/entities.parquet" \
  --ownership "$REG/ownership.parquet" --as-of "$AS_OF"
"$BIN/ownergate" explain "$ID" --entities "$REG/entities.parquet" \
  --ownership "$REG/ownership.parquet" --as-of "$AS_OF" --json > "$OUT/evidence-$ID.json"
echo
echo "== re-checking that decision offline from its evidence document"
"$BIN/ownergate" verify "$OUT/evidence-$ID.json"

CUST="$OUT/customers"
echo
echo "== what does the seed policy cost? 300,000 synthetic customers over that registry,"
echo "== under the terms before it (policies/region-only.toml) and with it (policies/default.toml)"
"$BIN/ownergate" synth customers --n "${DEMO_CUSTOMERS:-300000}" --registry "$REG" --out "$CUST" --seed 7
"$BIN/ownergate" impact --policy-a policies/region-only.toml --policy-b policies/default.toml \
  --customers "$CUST/customers.parquet" --entities "$REG/entities.parquet" \
  --ownership "$REG/ownership.parquet" --as-of "$AS_OF" --out "$OUT/impact"

PORTFOLIO_N=${DEMO_PORTFOLIO_CUSTOMERS:-20000}
export OWNERGATE_DATA_DIR="$OUT/portfolio"
rm -rf "$OWNERGATE_DATA_DIR" "$OUT/portfolio-flips.jsonl"
echo
echo "== keeping a stored customer base screened: $PORTFOLIO_N customers loaded into the store,"
echo "== found by registry id, LEI or name (ambiguous names go to the review queue), decided"
"$BIN/ownergate" ingest interchange "$REG/entities.parquet" "$REG/ownership.parquet" \
  --snapshot registry-v1
"$BIN/ownergate" synth customers --n "$PORTFOLIO_N" --registry "$REG" \
  --out "$OUT/portfolio-customers" --seed 11
"$BIN/ownergate" portfolio load --customers "$OUT/portfolio-customers/customers.parquet"
"$BIN/ownergate" portfolio screen --snapshot registry-v1
"$BIN/ownergate" links queue --limit 3
echo
echo "== the registry changes (one holding goes): only the accounts it can reach are re-decided"
"$BIN/python" scripts/drop_holding.py "$REG" "$OUT/registry-v2" \
  "sqlite:///$OWNERGATE_DATA_DIR/ownergate.db"
"$BIN/ownergate" ingest interchange "$OUT/registry-v2/entities.parquet" \
  "$OUT/registry-v2/ownership.parquet" --snapshot registry-v2
"$BIN/ownergate" portfolio rescreen --from registry-v1 --to registry-v2 \
  --events "$OUT/portfolio-flips.jsonl"

export OWNERGATE_DATA_DIR="$OUT/data"
rm -rf "$OWNERGATE_DATA_DIR"
echo
echo "== importing real GLEIF records (data/samples/gleif, CC0) as a snapshot"
"$BIN/ownergate" ingest gleif data/samples/gleif/*.json --snapshot gleif-sample
"$BIN/ownergate" snapshots
GLEIF_ID=097900BJGO0000201513
echo
echo "== the sample has no CN/RU/KP/IR entity: under a what-if policy barring Luxembourg,"
echo "== why is $GLEIF_ID, a Slovak company, restricted?"
"$BIN/ownergate" explain "$GLEIF_ID" --snapshot gleif-sample \
  --policy policies/what-if-luxembourg.toml --as-of "$AS_OF"
"$BIN/ownergate" screen --snapshot gleif-sample --policy policies/what-if-luxembourg.toml \
  --as-of "$AS_OF" --out "$OUT/gleif-decisions.csv" -q

echo
echo "== the decision service and the request gate (ownergate serve on loopback)"
"$BIN/python" scripts/demo_service.py

echo
echo "Summary"
echo "  synthetic registry: $REG ($EDGES holdings), decisions in $OUT/decisions.parquet"
echo "  explained and verified offline: $ID (evidence in $OUT/evidence-$ID.json)"
echo "  impact of the seed policy on the customer base: $OUT/impact/impact.html" \
  "(flips in $OUT/impact/flips.csv)"
echo "  stored customer base: $OUT/portfolio/ownergate.db (decisions, links, review queue)," \
  "flips of the re-screen in $OUT/portfolio-flips.jsonl"
echo "  GLEIF sample: snapshot gleif-sample in $OWNERGATE_DATA_DIR, decisions in" \
  "$OUT/gleif-decisions.csv"
echo "  decision service: accounts, decisions and gate verdicts in $OWNERGATE_DATA_DIR/ownergate.db"
