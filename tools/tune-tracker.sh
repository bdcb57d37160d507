#!/usr/bin/env bash
# Tunes the tracker's post-processing (penalty_k, window influence, size lr) for a model on the dev sequences,
# one knob at a time (coordinate search from SiamRPN++'s defaults), and prints the mean AUC of each setting.
# usage: tools/tune-tracker.sh MODEL [DATA] [OUT]
# Start elsewhere and search other values with PK, WI, LR (start) and WI_VALUES, PK_VALUES, LR_VALUES (space-separated).
set -euo pipefail
cd "$(dirname "$0")/.."
MODEL=${1:?usage: tools/tune-tracker.sh MODEL [DATA] [OUT]}
DATA=${2:-../shared/data/annotated}
OUT=${3:-out/tune}
U=${U:-"dotnet tools/Ulast.Cli/bin/Release/net10.0/ulast.dll"}
mkdir -p "$OUT"
pk=${PK:-0.05}; wi=${WI:-0.42}; lr=${LR:-0.38}
auc() { $U eval --data "$DATA" --trackers ulast --checkpoint "$MODEL" --penalty-k "$1" --window-influence "$2" --size-lr "$3" --out "$OUT/run" 2>/dev/null \
        | awk -F'|' '/^OVERALL/{split($2,a,"/"); gsub(/ /,"",a[1]); print a[1]}'; }
echo "penalty_k,window_influence,size_lr,auc" > "$OUT/tune.csv"
best=$(auc $pk $wi $lr); echo "$pk,$wi,$lr,$best" | tee -a "$OUT/tune.csv"
for knob in wi pk lr; do
  case $knob in wi) values=${WI_VALUES:-"0.2 0.3 0.5 0.6"};; pk) values=${PK_VALUES:-"0.0 0.02 0.1 0.2"};; lr) values=${LR_VALUES:-"0.1 0.2 0.6 0.8"};; esac
  for v in $values; do
    a=$pk; b=$wi; c=$lr
    case $knob in wi) b=$v;; pk) a=$v;; lr) c=$v;; esac
    r=$(auc $a $b $c); echo "$a,$b,$c,$r" | tee -a "$OUT/tune.csv"
    if awk "BEGIN{exit !($r > $best)}"; then best=$r; pk=$a; wi=$b; lr=$c; fi
  done
done
echo "best: penalty_k $pk, window_influence $wi, size_lr $lr → AUC $best"
