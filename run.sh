#!/usr/bin/env bash
# Sets up a fresh Debian machine (with the .NET 10 SDK) and runs Ulast's main job on the shipped model and data.
#   ./run.sh          the quick job (about 3 minutes on a 2-core CPU, the build included): the shipped tracker on
#                     six dev sequences beside CSRT — a rendered video, success and precision plots, a table
#   ./run.sh --full   the full job (about half an hour): gradient check, kernel benchmark, pseudo labels for every
#                     unlabelled video, the labeller's quality, and the evaluation on all 20 dev sequences
set -euo pipefail
cd "$(dirname "$0")"
FULL=0
for a in "$@"; do
  case "$a" in
    --full) FULL=1 ;;
    -h|--help) sed -n 2,6p "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown argument '$a' (use --full, or nothing for the quick job)" >&2; exit 2 ;;
  esac
done

START=$SECONDS
stage() { printf '\n== [%3ds] %s\n' $((SECONDS - START)) "$*"; }

if command -v apt-get >/dev/null && ! ldconfig -p | grep -q libgtk-3.so.0; then
  stage "installing libgtk-3-0 (needed by OpenCV's native runtime)"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq libgtk-3-0 >/dev/null
fi

stage "building (Release)"
dotnet build ULAST.sln -c Release -v quiet -nologo | grep -E "error|Warn|Elapsed" || true

ULAST="dotnet tools/Ulast.Cli/bin/Release/net10.0/ulast.dll"
DATA=../shared/data
mkdir -p out

if [ "$FULL" = 0 ]; then
  # Six short sequences, one rule for all: two from each source family, the shipped tracker ahead of CSRT on
  # three and behind on three in the full evaluation (docs/results.md), so this is a taste, not a selection.
  SEQS=Crossing,Dog,MotorRolling,truck2,hockey,soccerball
  stage "tracking MotorRolling with the shipped model → out/demo/motorrolling.mp4 (boxes: out/demo/motorrolling.txt)"
  $ULAST track --input $DATA/annotated/MotorRolling --out out/demo/motorrolling.txt --video out/demo/motorrolling.mp4
  stage "the shipped tracker (ulast-dcf) beside OpenCV's CSRT on $SEQS → out/demo/eval"
  $ULAST eval --data $DATA/annotated --sequences $SEQS --trackers ulast-dcf,csrt --out out/demo/eval
  stage "done in $((SECONDS - START)) s. Look at:"
  echo "  out/demo/motorrolling.mp4        the tracked video (green: the box, with its frame number and score)"
  echo "  out/demo/eval/success.png        success plot (AUC in the legend); precision.png beside it"
  echo "  out/demo/eval/report.csv         every sequence's AUC, precision and FPS"
  echo "The full job (all 20 dev sequences, labelling, gradient check, benchmarks): ./run.sh --full"
  exit 0
fi

stage "device"
$ULAST device

stage "gradient check of every op"
$ULAST gradcheck

stage "kernel benchmark"
$ULAST bench kernels --json out/bench-kernels.json

stage "pseudo labels for the unlabelled videos (resumes where it stopped)"
$ULAST pseudo-label --input $DATA/unlabeled --out out/labels.json

stage "pseudo-label quality on the annotated sequences, labelled as if unlabelled"
$ULAST pseudo-label --quality --data $DATA/annotated --out out/pseudo-quality

stage "evaluation on the shared annotated sequences: the shipped trained model (resnet18) against OpenCV's KCF, CSRT, MIL"
$ULAST eval --data $DATA/annotated --out out/eval
stage "done in $((SECONDS - START)) s"
