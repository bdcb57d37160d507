#!/usr/bin/env bash
# Reproduces the shipped model (models/ulast-resnet18.safetensors, stage 4) and the other resnet18 models of docs/notebook/experiments.md ("ImageNet's ResNet-18 as the backbone"), each stage resuming where
# it stopped. Stages 1–3 train on the small preset's second labelling round kept in the repository (models/ulast-small.labels.json);
# stage 4 on the second round made with stage 3c's whole tracker (kept as models/ulast-resnet18.labels.json).
#   0. the ImageNet weights: ulast model --backbone resnet18 --imagenet (NuGet's ResNet18.onnx, restored with the build)
#   1. naive pairs, backbone frozen (BatchNorm statistics too): neck and RPN learn, 600 steps  → runs/r18-frozen-naive
#   2. the CPT alone through the cycle, 150 steps                                             → runs/r18-cpt
#      (its model, without the optimiser: models/ulast-resnet18-stage2.safetensors, the shared start of every stage 3)
#   3. the full method (naive + cycle with CPT, region mask, re-weighting), backbone frozen, 300 steps → runs/r18-full
#   3b. naive-only from the same start and budget (the comparison for 3)                      → runs/r18-naive-more
#   3c. the full method with layer2 unfrozen at a tenth of the learning rate (pysot)          → runs/r18-finetune
#   4. the labeller's second round with 3c's tracker (motion labels, then --refine --preset shipped), and 3c's training
#      again from the stage-2 model on those labels (the shipped model)                       → runs/r18-r2
#   R. the same budget from random weights (stages 1–3 with everything trained)               → runs/r18-random*
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build ULAST.sln -c Release -v quiet -nologo
# Run from a copy of the binaries, so that a rebuild during training cannot touch the running program.
BIN=$(mktemp -d); cp -r tools/Ulast.Cli/bin/Release/net10.0/. "$BIN"
U="dotnet $BIN/ulast.dll"
L=models/ulast-small.labels.json
mkdir -p out
[ -f out/resnet18-imagenet.safetensors ] || $U model --backbone resnet18 --imagenet --out out/resnet18-imagenet.safetensors

stage() { local name=$1 steps=$2; shift 2
  if [ -f "runs/$name/last.safetensors" ]; then $U train --out "runs/$name" --resume --steps "$steps"
  else $U train --out "runs/$name" --labels "$L" "$@"; fi; }

stage r18-frozen-naive 600 --config configs/resnet18-frozen.json
stage r18-cpt 150 --config configs/resnet18-cpt.json
stage r18-full 300 --config configs/resnet18-full.json
stage r18-naive-more 300 --config configs/resnet18-full.json --no-cycle
stage r18-finetune 300 --config configs/resnet18-finetune.json
# Stage 4: the second round of labels from 3c's tracker (about 6 + 13 minutes), unless the kept file is used (R2_LABELS=models/ulast-resnet18.labels.json).
R2=${R2_LABELS:-out/r18-labels/labels-r18.json}
if [ ! -f "$R2" ]; then
  $U model --average runs/r18-finetune/last.safetensors --out out/r18-labels/round1-model.safetensors
  $U pseudo-label --input ../shared/data/unlabeled --out out/r18-labels/labels.json
  $U pseudo-label --refine out/r18-labels/round1-model.safetensors --labels out/r18-labels/labels.json --out "$R2" --preset shipped
fi
if [ -f runs/r18-r2/last.safetensors ]; then $U train --out runs/r18-r2 --resume --steps 300
else $U train --out runs/r18-r2 --labels "$R2" --config configs/resnet18-finetune.json --init models/ulast-resnet18-stage2.safetensors; fi
echo "shipped model: ulast model --average runs/r18-r2/last.safetensors --out models/ulast-resnet18.safetensors (the model without its optimiser state)"
[ "${RANDOM_INIT:-1}" = 1 ] || exit 0
stage r18-random-naive 600 --config configs/resnet18-random.json
stage r18-random-cpt 150 --config configs/resnet18-cpt.json --init runs/r18-random-naive/last.safetensors
stage r18-random-full 300 --config configs/resnet18-full.json --init runs/r18-random-cpt/last.safetensors --train-only ""
