#!/usr/bin/env bash
# Ulast's training and tracking steps beside the same `small` network in libtorch (../shared/tools/peer-bench),
# run alternately in one session (this machine's speed drifts; only ratios from one run mean anything).
# usage: tools/bench-train-vs-peer.sh [ROUNDS]   → out/bench-vs-peer/
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-2}
PEER=../shared/tools/peer-bench
OUT=out/bench-vs-peer
mkdir -p "$OUT"
[ -x "$PEER/run.sh" ] || { echo "error: the peer benchmark is missing at $PEER" >&2; exit 1; }
dotnet build ULAST.sln -c Release -v quiet -nologo
U="dotnet tools/Ulast.Cli/bin/Release/net10.0/ulast.dll"
for r in $(seq 1 "$ROUNDS"); do
  echo "== round $r: ulast"
  $U bench train --naive-batch 16 --cycle-batch 8 --repeats 5 --json "$OUT/ulast-train-$r.json" | tee "$OUT/ulast-train-$r.txt"
  $U bench track --backbones small --json "$OUT/ulast-track-$r.json" | tee "$OUT/ulast-track-$r.txt"
  echo "== round $r: libtorch"
  "$PEER/run.sh" --only small | tee "$OUT/peer-$r.txt"
done
