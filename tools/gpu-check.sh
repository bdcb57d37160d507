#!/usr/bin/env bash
# The device check of the CUDA issue, as one prepared script for a lent GPU machine (one call of at most 8 minutes).
# That machine has no .NET SDK and no GTK, and a call carries at most 64 MiB, so Ulast travels as a self-contained
# publish without OpenCV's and Skia's native libraries (28 MiB as tar.xz).
#
#   tools/gpu-check.sh --pack                  here: build out/gpu-pack/ulast.tar.xz (carry out/gpu-pack)
#   tools/gpu-check.sh --run [--device cpu]    there (from the repository root): unpack, run the checks, write $OUT
#
# --run --device cpu runs the same steps on this machine's CPU (ILGPU's CPU accelerator and the SIMD host path), which is
# how the script is tested without a card; the PyTorch peer then runs on the CPU too, if python3 has torch.
#
# What it runs: `ulast device`; the finite-difference gradient check of every op; `bench kernels` (conv3x3 [8,256,31,31]
# forward+backward among them); `bench train`'s naive step of the small network (random inputs: no frames; its cycle
# step builds its clips as OpenCV Mats and stops without OpenCV);
# and the peer, PyTorch fp32 with TF32 off, on the same conv shapes, alternating with Ulast's rows; the ratio table in
# $OUT/ratio.md. What it cannot run yet, and needs before the issue can close: the CUDA unit tests (they need the SDK's
# test host), and everything that reads frames — `bench track`, a training run, `ulast eval` on CUDA — until frames reach
# the device without OpenCV (the issue's first item: a managed decoder or a frame pack).
set -euo pipefail
cd "$(dirname "$0")/.."
MODE=${1:-}
DEVICE=cuda
[ "${2:-}" = "--device" ] && DEVICE=${3:?--device needs cuda or cpu}
PACK=out/gpu-pack

if [ "$MODE" = "--pack" ]; then
  rm -rf "$PACK" && mkdir -p "$PACK"
  STAGE=$(mktemp -d)
  dotnet publish tools/Ulast.Cli/Ulast.Cli.csproj -c Release -r linux-x64 --self-contained -o "$STAGE/ulast" -v quiet -nologo
  # Not needed by the checks (frames and plots), and too large to carry: 109 + 14 MiB.
  rm -f "$STAGE/ulast/libOpenCvSharpExtern.so" "$STAGE/ulast/libSkiaSharp.so" "$STAGE/ulast/libHarfBuzzSharp.so"
  tar -cJf "$PACK/ulast.tar.xz" -C "$STAGE" ulast
  rm -rf "$STAGE"
  ls -la "$PACK"
  echo "carry $PACK; run: tools/gpu-check.sh --run"
  exit 0
fi
[ "$MODE" = "--run" ] || { echo "usage: tools/gpu-check.sh --pack | --run [--device cuda|cpu]" >&2; exit 2; }
[ -f "$PACK/ulast.tar.xz" ] || { echo "error: $PACK/ulast.tar.xz is missing: run tools/gpu-check.sh --pack first and carry $PACK" >&2; exit 1; }
OUT=${OUT:-out/gpu-check}
mkdir -p "$OUT"
WORK=$(mktemp -d)
tar -xJf "$PACK/ulast.tar.xz" -C "$WORK"
U="$WORK/ulast/ulast"
log() { printf '\n== [%3ds] %s\n' "$SECONDS" "$*" | tee -a "$OUT/log.txt"; }
run() { "$@" 2>&1 | tee -a "$OUT/log.txt"; return "${PIPESTATUS[0]}"; }
status=0

log "device"
run "$U" device --device "$DEVICE" || status=1
log "nvidia-smi"
run nvidia-smi || true
log "gradient check of every op ($DEVICE)"
run "$U" gradcheck --device "$DEVICE" || status=1
log "kernel benchmark ($DEVICE)"
run "$U" bench kernels --device "$DEVICE" --json "$OUT/bench-kernels.json" || status=1
log "training steps ($DEVICE): naive batch 16, cycle batch 8, small network"
# The naive step runs on tensors alone; the cycle step still crops its clips from OpenCV Mats, so without OpenCV's
# native library (not carried) it stops there: the issue's first item (frames without OpenCV) lifts that.
run "$U" bench train --device "$DEVICE" --json "$OUT/bench-train.json" || echo "   (the cycle step needs OpenCV's native library: not carried; see the header)" | tee -a "$OUT/log.txt"

log "peer: PyTorch fp32 (TF32 off) on the same conv shapes, three rounds alternating with Ulast's"
cat > "$WORK/peer.py" <<'PY'
import json, sys, time
import torch
dev = "cuda" if sys.argv[1] == "cuda" and torch.cuda.is_available() else "cpu"
torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False
torch.manual_seed(1)
cases = {"conv3x3 [8,64,32,32]->64": (8, 64, 32, 32, 64, 3, 1, 1), "conv3x3 [8,256,31,31]->256": (8, 256, 31, 31, 256, 3, 1, 1),
         "conv7x7/2 [1,3,255,255]->64": (1, 3, 255, 255, 64, 7, 2, 3), "conv1x1 [8,256,15,15]->256": (8, 256, 15, 15, 256, 1, 1, 0)}
def sync():
    if dev == "cuda": torch.cuda.synchronize()
def median_ms(f, n=7):
    f(); sync(); t = []
    for _ in range(n):
        s = time.perf_counter(); f(); sync(); t.append((time.perf_counter() - s) * 1e3)
    return sorted(t)[n // 2]
rows = {}
for name, (n, c, h, w, o, k, s, p) in cases.items():
    x = torch.rand(n, c, h, w, device=dev) * 2 - 1
    wt = (torch.rand(o, c, k, k, device=dev) * 2 - 1) * 0.1
    fwd = lambda: torch.nn.functional.conv2d(x, wt, stride=s, padding=p)
    xg, wg = x.clone().requires_grad_(), wt.clone().requires_grad_()
    def fb():
        y = torch.nn.functional.conv2d(xg, wg, stride=s, padding=p); y.backward(torch.ones_like(y))
    with torch.no_grad(): f_ms = median_ms(fwd)
    rows[name] = {"forward": f_ms, "forward+backward": median_ms(fb)}
json.dump({"device": torch.cuda.get_device_name() if dev == "cuda" else "cpu", "torch": torch.__version__, "rows": rows}, sys.stdout, indent=1)
PY
if python3 -c "import torch" 2>/dev/null; then
  for round in 1 2 3; do
    run "$U" bench kernels --device "$DEVICE" --only conv --json "$OUT/ulast-conv-$round.json" > /dev/null || status=1
    python3 "$WORK/peer.py" "$DEVICE" > "$OUT/torch-conv-$round.json" || status=1
  done
  python3 - "$OUT" <<'PY' | tee "$OUT/ratio.md"
import json, sys, statistics, glob, os
out = sys.argv[1]
ours, peer = {}, {}
for f in sorted(glob.glob(os.path.join(out, "ulast-conv-*.json"))):
    for r in json.load(open(f))["results"]: ours.setdefault((r["case"], r["mode"]), []).append(r["median_ms"])
for f in sorted(glob.glob(os.path.join(out, "torch-conv-*.json"))):
    d = json.load(open(f)); card = d["device"]
    for case, modes in d["rows"].items():
        for mode, ms in modes.items(): peer.setdefault((case, mode), []).append(ms)
print(f"| case | mode | Ulast ms | PyTorch ms ({card}, fp32, TF32 off) | PyTorch / Ulast (speed ratio) |")
print("|---|---|---:|---:|---:|")
for key in sorted(set(ours) & set(peer)):
    u, p = statistics.median(ours[key]), statistics.median(peer[key])
    print(f"| {key[0]} | {key[1]} | {u:.3f} | {p:.3f} | {p / u:.2f}× |")
PY
else
  log "python3 has no torch here: the peer is skipped"
fi
rm -rf "$WORK"
log "done (status $status); the results are in $OUT"
exit $status
