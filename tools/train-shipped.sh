#!/usr/bin/env bash
# Reproduces the shipped model (models/ulast-small.safetensors) and the other models of docs/results.md.
# Stage 1: naive pairs only, from scratch (the shipped tracker). Stage 2: the CPT alone trained through the
# cycle with the tracker frozen (train_only) — the shipped model, whose offline tracker is stage 1's exactly and
# whose CPT builds ULAST-on's memory template. Then the comparisons: the full method (naive + cycle) fine-tuned
# from stage 1 beside a naive-only continuation with the same budget (at two learning rates), and one short run
# per ablation switch.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build ULAST.sln -c Release -v quiet -nologo
# Run from a copy of the binaries, so that a rebuild during training cannot touch the running program.
BIN=$(mktemp -d); cp -r tools/Ulast.Cli/bin/Release/net10.0/. "$BIN"
U="dotnet $BIN/ulast.dll"
LABELS=${LABELS:-out/labels.json}
[ -f "$LABELS" ] || $U pseudo-label --input ../shared/data/unlabeled --out "$LABELS"

# Each stage resumes where it stopped when its run folder has a checkpoint (resume may only change --steps).
naive() { if [ -f runs/naive/last.safetensors ]; then $U train --out runs/naive --resume --steps 1200; else $U train --out runs/naive --labels "$LABELS" --no-cycle --steps 1200 --validate-every 300; fi; }
naive

INIT=runs/naive/last.safetensors
finetune() { local name=$1 steps=$2; shift 2
  if [ -f "runs/$name/last.safetensors" ]; then $U train --out "runs/$name" --resume --steps "$steps"
  else $U train --out "runs/$name" --labels "$LABELS" --config "${CONFIG:-configs/finetune.json}" --init "$INIT" --steps "$steps" "$@"; fi; }
CONFIG=configs/cpt-only.json finetune cpt-only 300
echo "shipped model: runs/cpt-only/last.safetensors → models/ulast-small.safetensors"
[ "${COMPARISONS:-1}" = 1 ] || exit 0
finetune full 250
finetune naive-more 250 --no-cycle
CONFIG=configs/finetune-low.json finetune full-low 250
CONFIG=configs/finetune-low.json finetune naive-low 250 --no-cycle
if [ "${ABLATIONS:-1}" = 1 ]; then
  finetune full-60 60
  finetune no-cpt-60 60 --no-cpt
  finetune no-region-mask-60 60 --no-region-mask
  finetune no-reweight-60 60 --no-reweight
fi
