#!/usr/bin/env bash
# Sets up a fresh Debian machine (with the .NET 10 SDK) and runs Ulast's main job on the shipped data.
set -euo pipefail
cd "$(dirname "$0")"

if command -v apt-get >/dev/null && ! ldconfig -p | grep -q libgtk-3.so.0; then
  echo "== installing libgtk-3-0 (needed by OpenCV's native runtime)"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq libgtk-3-0 >/dev/null
fi

echo "== building (Release)"
dotnet build ULAST.sln -c Release -v quiet -nologo

ULAST="dotnet tools/Ulast.Cli/bin/Release/net10.0/ulast.dll"
mkdir -p out

echo "== device"
$ULAST device

echo "== gradient check of every op"
$ULAST gradcheck

echo "== kernel benchmark"
$ULAST bench kernels --json out/bench-kernels.json

echo "== pseudo labels for the unlabelled videos (resumes where it stopped)"
$ULAST pseudo-label --input ../shared/data/unlabeled --out out/labels.json

echo "== pseudo-label quality on the annotated sequences, labelled as if unlabelled"
$ULAST pseudo-label --quality --data ../shared/data/annotated --out out/pseudo-quality

echo "== evaluation on the shared annotated sequences: the shipped trained model (resnet18) against OpenCV's KCF, CSRT, MIL"
$ULAST eval --data ../shared/data/annotated --out out/eval
