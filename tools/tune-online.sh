#!/usr/bin/env bash
# Tunes ULAST-on's memory (λm, confidence gate, update interval, capacity) for a model on the dev sequences,
# one knob at a time from the defaults, and prints the AUC of each setting (the offline tracker's AUC first).
# usage: tools/tune-online.sh MODEL [DATA] [OUT]
set -euo pipefail
cd "$(dirname "$0")/.."
MODEL=${1:?usage: tools/tune-online.sh MODEL [DATA] [OUT]}
DATA=${2:-../shared/data/annotated}
OUT=${3:-out/tune-online}
U=${U:-"dotnet tools/Ulast.Cli/bin/Release/net10.0/ulast.dll"}
mkdir -p "$OUT"
overall() { awk -F'|' '/^OVERALL/{split($2,a,"/"); gsub(/ /,"",a[1]); print a[1]}'; }
auc() { $U eval --data "$DATA" --trackers ulast-online --checkpoint "$MODEL" --online-lambda "$1" --online-min-score "$2" \
          --online-interval "$3" --online-capacity "$4" --out "$OUT/run" 2>/dev/null | overall; }
offline=$($U eval --data "$DATA" --trackers ulast --checkpoint "$MODEL" --out "$OUT/run" 2>/dev/null | overall)
echo "offline AUC $offline"
lm=0.3; gate=0.7; every=10; cap=4
echo "lambda_m,min_score,interval,capacity,auc" > "$OUT/tune.csv"
best=$(auc $lm $gate $every $cap); echo "$lm,$gate,$every,$cap,$best" | tee -a "$OUT/tune.csv"
for knob in lm gate every cap; do
  case $knob in lm) values="0.1 0.2 0.5";; gate) values="0.5 0.9";; every) values="5 20";; cap) values="2 8";; esac
  for v in $values; do
    a=$lm; b=$gate; c=$every; d=$cap
    case $knob in lm) a=$v;; gate) b=$v;; every) c=$v;; cap) d=$v;; esac
    r=$(auc $a $b $c $d); echo "$a,$b,$c,$d,$r" | tee -a "$OUT/tune.csv"
    if awk "BEGIN{exit !($r > $best)}"; then best=$r; lm=$a; gate=$b; every=$c; cap=$d; fi
  done
done
echo "offline $offline; best online: lambda_m $lm, min_score $gate, interval $every, capacity $cap → AUC $best"
