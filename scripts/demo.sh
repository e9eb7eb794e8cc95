#!/usr/bin/env bash
# The main job on the embedded default: synthesise a registry, screen it with the seed
# policy, then explain one restricted foreign subsidiary and re-check that explanation.
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
echo
echo "Decisions: $OUT/decisions.parquet; evidence: $OUT/evidence-$ID.json"
