#!/usr/bin/env bash
# Ulast beside the same work in libtorch (../shared/tools/peer-bench), run alternately in one session — this
# machine's speed drifts from minute to minute, so only ratios from one run mean anything. Each round runs Ulast's
# `bench kernels`, `bench train` and `bench track`, then the peer's conv, xcorr and small groups; the table gives
# libtorch time / Ulast time per case and round (> 1: Ulast is faster) and the median over rounds.
# usage: tools/bench-vs-peer.sh [ROUNDS]   → out/bench-vs-peer/ (raw output and table.md)
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-3}
PEER=../shared/tools/peer-bench
OUT=out/bench-vs-peer
[ -x "$PEER/run.sh" ] || { echo "error: the peer benchmark is missing at $PEER" >&2; exit 1; }
# The peer builds in its own folder: where shared/ is read-only, build and run a writable copy of it.
if [ ! -w "$PEER" ]; then
  COPY=${PEER_COPY:-/tmp/ulast-peer-bench}
  [ -d "$COPY" ] || { cp -r "$PEER" "$COPY"; chmod -R u+w "$COPY"; }
  PEER=$COPY
fi
rm -rf "$OUT"; mkdir -p "$OUT"
dotnet build ULAST.sln -c Release -v quiet -nologo
U="dotnet tools/Ulast.Cli/bin/Release/net10.0/ulast.dll"
for r in $(seq 1 "$ROUNDS"); do
  echo "== round $r/$ROUNDS: ulast"
  $U bench kernels --json "$OUT/ulast-kernels-$r.json" | tee "$OUT/ulast-kernels-$r.txt"
  $U bench train --naive-batch 16 --cycle-batch 8 --repeats 5 --json "$OUT/ulast-train-$r.json" | tee "$OUT/ulast-train-$r.txt"
  $U bench track --backbones small --json "$OUT/ulast-track-$r.json" | tee "$OUT/ulast-track-$r.txt"
  echo "== round $r/$ROUNDS: libtorch"
  for g in conv xcorr small; do
    rm -f "$PEER/results.csv"
    # Its last step (the share of peak) fails where the FMA check has no AVX-512 figure; the timings are written before it.
    (cd "$PEER" && ./run.sh --only "$g") | tee "$OUT/peer-$g-$r.txt" || true
    [ -s "$PEER/results.csv" ] || { echo "error: the peer wrote no results for $g (see $OUT/peer-$g-$r.txt)" >&2; exit 1; }
    cp "$PEER/results.csv" "$OUT/peer-$g-$r.csv"
  done
done
dotnet run tools/bench-vs-peer-table.cs -- "$OUT" "$ROUNDS" | tee "$OUT/table.md"
