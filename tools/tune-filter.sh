#!/usr/bin/env bash
# [ours] Reads the discriminative filter's settings for a model on the dev sequences: each row one
# `ulast eval --trackers ulast-dcf --tre 5` (OPE and TRE from 5 starts), the knobs not named at their defaults.
# The rows are the ones docs/results.md reports ("A discriminative filter beside the Siamese response"); those measured
# before the 64-direction default carry --filter-channels 0, and those measured before DSST's scale filter [ours] became
# the default beside the filter carry --no-scale-filter; the scale rows follow ("The box's size from DSST's scale filter").
# Every row measured before the centre came from the filter's response peak carries --filter-position 0; the position
# rows close the list ("The target's centre from the filter's response").
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
w1 --filter-weight 1 --filter-channels 0 --no-scale-filter --filter-position 0
w0.9 --filter-weight 0.9 --filter-channels 0 --no-scale-filter --filter-position 0
w0.85 --filter-weight 0.85 --filter-channels 0 --no-scale-filter --filter-position 0
w0.7 --filter-weight 0.7 --filter-channels 0 --no-scale-filter --filter-position 0
every10 --filter-weight 0.9 --filter-interval 10 --filter-channels 0 --no-scale-filter --filter-position 0
iter1 --filter-weight 0.9 --filter-iterations 1 --filter-channels 0 --no-scale-filter --filter-position 0
gate0.3 --filter-weight 0.9 --filter-min-score 0.3 --filter-channels 0 --no-scale-filter --filter-position 0
capacity10 --filter-weight 0.9 --filter-capacity 10 --filter-channels 0 --no-scale-filter --filter-position 0
capacity10-iter2 --filter-weight 0.9 --filter-capacity 10 --filter-iterations 2 --filter-channels 0 --no-scale-filter --filter-position 0
size-lr0.3 --filter-weight 0.9 --size-lr 0.3 --filter-channels 0 --no-scale-filter --filter-position 0
size-lr0.05 --filter-weight 0.9 --size-lr 0.05 --filter-channels 0 --no-scale-filter --filter-position 0
penalty0.1 --filter-weight 0.9 --penalty-k 0.1 --filter-channels 0 --no-scale-filter --filter-position 0
penalty0.3 --filter-weight 0.9 --penalty-k 0.3 --filter-channels 0 --no-scale-filter --filter-position 0
window0.1 --filter-weight 0.9 --window-influence 0.1 --filter-channels 0 --no-scale-filter --filter-position 0
window0.3 --filter-weight 0.9 --window-influence 0.3 --filter-channels 0 --no-scale-filter --filter-position 0
all-channels --filter-channels 0 --no-scale-filter --filter-position 0
channels64 --filter-channels 64 --no-scale-filter --filter-position 0
channels32 --filter-channels 32 --no-scale-filter --filter-position 0
channels16 --filter-channels 16 --no-scale-filter --filter-position 0
cg-all --filter-channels 0 --filter-cg --no-scale-filter --filter-position 0
keep-aspect-all --filter-channels 0 --keep-aspect --no-scale-filter --filter-position 0
scale33-unsigned --scale-count 33 --scale-unsigned --filter-position 0
scale21-unsigned --scale-count 21 --scale-unsigned --filter-position 0
scale17-unsigned --scale-count 17 --scale-unsigned --filter-position 0
scale17-unsigned-lr0.05 --scale-count 17 --scale-unsigned --scale-lr 0.05 --filter-position 0
scale13-unsigned --scale-count 13 --scale-unsigned --filter-position 0
scale17-unsigned-regressed-aspect --scale-unsigned --scale-regressed-aspect --filter-position 0
scale17 --scale-count 17 --filter-position 0
scale25 --scale-count 25 --filter-position 0
scale33 --scale-count 33 --filter-position 0
scale-window0.1 --window-influence 0.1 --filter-position 0
scale-window0.3 --window-influence 0.3 --filter-position 0
scale-penalty0.1 --penalty-k 0.1 --filter-position 0
scale-penalty0.3 --penalty-k 0.3 --filter-position 0
position1 --filter-position 1
position0.75 --filter-position 0.75
position0.5 --filter-position 0.5
position1-no-scale --filter-position 1 --no-scale-filter
pk0.05 --penalty-k 0.05
pk0.1 --penalty-k 0.1
pk0.3 --penalty-k 0.3
wi0.1 --window-influence 0.1
wi0.3 --window-influence 0.3
ROWS
echo "wrote $OUT/tune.csv"
