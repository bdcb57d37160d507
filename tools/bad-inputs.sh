#!/usr/bin/env bash
# Re-runs the bad inputs of the command-line robustness issue and prints, for each, the command, its exit code and
# the first line it printed on stderr (or stdout). Builds the broken files in a temporary folder (needs python3).
# usage: tools/bad-inputs.sh [ULAST_COMMAND]   (default: the Release build)
set -uo pipefail
cd "$(dirname "$0")/.."
U=${1:-"dotnet tools/Ulast.Cli/bin/Release/net10.0/ulast.dll"}
D=$(mktemp -d); trap 'rm -rf "$D"' EXIT
GIRL=../shared/data/annotated/Girl
$U model --out "$D/tiny.safetensors" --channels 8 >/dev/null
python3 - "$D" <<'PY'
import json, struct, sys, os, random
d = sys.argv[1]
raw = open(os.path.join(d, "tiny.safetensors"), "rb").read()
n = struct.unpack("<Q", raw[:8])[0]; header = json.loads(raw[8:8 + n]); data = raw[8 + n:]
def pack(name, h, body=data):
    b = (h if isinstance(h, str) else json.dumps(h)).encode()
    open(os.path.join(d, name), "wb").write(struct.pack("<Q", len(b)) + b + body)
first = next(k for k in header if k != "__metadata__")
pack("header-null.safetensors", "null"); pack("header-array.safetensors", "[]"); pack("header-42.safetensors", "42")
h = json.loads(json.dumps(header)); h[first] = 7; pack("entry-not-object.safetensors", h)
h = json.loads(json.dumps(header)); del h[first]["dtype"]; pack("no-dtype.safetensors", h)
h = json.loads(json.dumps(header)); h["__metadata__"]["format"] = 5; pack("metadata-number.safetensors", h)
h = json.loads(json.dumps(header)); h[first]["shape"] = ["a"]; pack("shape-strings.safetensors", h)
h = json.loads(json.dumps(header)); h[first]["shape"] = [-1]; pack("shape-minus-one.safetensors", h)
pack("all-nan.safetensors", header, struct.pack("<f", float("nan")) * (len(data) // 4))
open(os.path.join(d, "config.json"), "w").write("not json")
for name, videos in [("labels-videos-null.json", None)]:
    open(os.path.join(d, name), "w").write(json.dumps({"videos": videos}))
open(os.path.join(d, "labels-failed-null.json"), "w").write(json.dumps({"videos": {}, "failed": None}))
open(os.path.join(d, "labels-short-boxes.json"), "w").write(json.dumps({"videos": {"v": {"source": "v.mp4", "frames": 5, "boxes": [[1, 2, 3, 4]], "quality": [1, 1, 1, 1, 1], "segments": []}}}))
# A sequence folder whose ground truth has 3 lines for 30 frames, one with a negative width.
import shutil
for name, lines in [("short-gt", ["57,21,31,45", "57,21,31,45", "57,21,-3,45"]), ("binary-gt", None)]:
    seq = os.path.join(d, name); os.makedirs(os.path.join(seq, "img"))
    for i in range(1, 31): shutil.copy(os.path.join("../shared/data/annotated/Girl/img", "%04d.jpg" % i), os.path.join(seq, "img", "%04d.jpg" % i))
    gt = os.path.join(seq, "groundtruth_rect.txt")
    if lines: open(gt, "w").write("\n".join(lines) + "\n")
    else: open(gt, "wb").write(bytes(random.Random(1).getrandbits(8 * 300).to_bytes(300, "little")))
open(os.path.join(d, "undecodable.avi"), "wb").write(b"RIFF" + random.Random(2).getrandbits(8 * 4000).to_bytes(4000, "little"))
PY
mkdir -p "$D/readonly-file"; touch "$D/plain-file"
run() { eval "$U $1" >"$D/out" 2>"$D/err"; local rc=$?
  local first; first=$(cat "$D/err" "$D/out" | grep -v 'h264\|decode_slice\|^model:\|^device:' | head -1)
  printf '%s\n    exit %s: %s\n' "ulast $1" "$rc" "$first"; }
for f in header-null header-array header-42 entry-not-object no-dtype metadata-number shape-strings shape-minus-one all-nan; do
  run "track --input $GIRL --frames 3 --out $D/o.txt --checkpoint $D/$f.safetensors"; done
run "train --out $D/run --config $D/config.json --steps 1"
for f in labels-videos-null labels-failed-null labels-short-boxes; do run "train --out $D/run-$f --labels $D/$f.json --steps 1"; done
run "pseudo-label --input $GIRL --out $D/l.json --step 0"
run "pseudo-label --input $GIRL --out $D/l.json --step -2"
for c in device "track --input $GIRL --frames 3 --out $D/o.txt" "eval --sequences Girl --trackers kcf --out $D/e" "gradcheck --op relu"; do run "$c --device cuda"; done
run "track --input $D/short-gt --out $D/o.txt"
run "track --input $D/binary-gt --out $D/o.txt"
run "track --input $D/undecodable.avi --box 10,10,20,20 --out $D/o.txt"
run "track --input $GIRL --frames 0"
run "model --out $D/m.safetensors --channels -3"
run "track --help"; run "eval --help"; run "device --help"; run "bench kernels --help"
run "track --input /no/such/video.mp4"; run "pseudo-label --input /no/such/folder"
run "track --input $GIRL --frames 3 --out $D/plain-file/boxes.txt"
run "eval --sequences Girl --trackers kcf --out $D/plain-file/eval"
$U pseudo-label --input "$D/short-gt" --out "$D/l2.json" >/dev/null 2>&1
run "pseudo-label --input $D/short-gt --out $D/l2.json --step 3"
run "track --input ../shared/data/unlabeled/tree.avi --box 100,100,40,40 --out $D/o.txt"
