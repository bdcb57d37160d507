#!/usr/bin/env bash
# [ours] Reads the discriminative filter's settings for a model on the dev sequences: each row one
# `ulast eval --trackers ulast-dcf --tre 5` (OPE and TRE from 5 starts), the knobs not named at their defaults.
# The rows are the ones docs/results.md reports ("A discriminative filter beside the Siamese response"); those measured
# before the 64-direction default carry --filter-channels 0.
# usage: tools/tune-filter.sh [MODEL] [DATA] [OUT]
set -euo pipefail
cd "$(dirname "$0")/.."
MODEL=${1:-models/ulast-small.safetensors}
DATA=${2:-../shared/data/annotated}
OUT=${3:-out/tune-filter}
U=${U:-"dotnet tools/Ulast.Cli/bin/Release/net10.0/ulast.dll"}
mkdir -p "$OUT"
# Column 1 of the OVERALL lines: OPE first, then TRE.
overall() { awk -F'|' '/^OVERALL/{split($2,a,"/"); gsub(/ /,"",a[1]); printf "%s,", a[1]}' | sed 's/,$//'; }
echo "settings,ope_auc,tre_auc" > "$OUT/tune.csv"
while read -r name settings; do
  [ -z "$name" ] && continue
  # shellcheck disable=SC2086
  r=$($U eval --data "$DATA" --trackers ulast-dcf --checkpoint "$MODEL" --tre 5 $settings --out "$OUT/$name" 2>/dev/null | overall)
  echo "\"$settings\",$r" | tee -a "$OUT/tune.csv"
done <<'ROWS'
w1 --filter-weight 1 --filter-channels 0
w0.9 --filter-weight 0.9 --filter-channels 0
w0.85 --filter-weight 0.85 --filter-channels 0
w0.7 --filter-weight 0.7 --filter-channels 0
every10 --filter-weight 0.9 --filter-interval 10 --filter-channels 0
iter1 --filter-weight 0.9 --filter-iterations 1 --filter-channels 0
gate0.3 --filter-weight 0.9 --filter-min-score 0.3 --filter-channels 0
capacity10 --filter-weight 0.9 --filter-capacity 10 --filter-channels 0
capacity10-iter2 --filter-weight 0.9 --filter-capacity 10 --filter-iterations 2 --filter-channels 0
size-lr0.3 --filter-weight 0.9 --size-lr 0.3 --filter-channels 0
size-lr0.05 --filter-weight 0.9 --size-lr 0.05 --filter-channels 0
penalty0.1 --filter-weight 0.9 --penalty-k 0.1 --filter-channels 0
penalty0.3 --filter-weight 0.9 --penalty-k 0.3 --filter-channels 0
window0.1 --filter-weight 0.9 --window-influence 0.1 --filter-channels 0
window0.3 --filter-weight 0.9 --window-influence 0.3 --filter-channels 0
all-channels --filter-channels 0
channels64 --filter-channels 64
channels32 --filter-channels 32
channels16 --filter-channels 16
cg-all --filter-channels 0 --filter-cg
keep-aspect-all --filter-channels 0 --keep-aspect
ROWS
echo "wrote $OUT/tune.csv"
