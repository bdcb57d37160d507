#!/usr/bin/env bash
# The odd inputs of the newcomer issue, one or more per class: prints each command, its exit code and the first line it
# printed on stderr (or stdout). Builds the odd files in a temporary folder (needs python3).
# usage: tools/odd-inputs.sh [ULAST_COMMAND]   (default: the Release build; give another build to compare before/after)
set -uo pipefail
cd "$(dirname "$0")/.."
U=${1:-"dotnet tools/Ulast.Cli/bin/Release/net10.0/ulast.dll"}
D=$(mktemp -d); trap 'rm -rf "$D"' EXIT
A=../shared/data/annotated
SHIPPED=models/ulast-resnet18.safetensors
# Sequences of three frames of Skiing (640×360) with odd ground truth, and frames named without zero padding.
mkseq() { mkdir -p "$D/$1/img"; for f in $(ls $A/Skiing/img | head -3); do cp "$A/Skiing/img/$f" "$D/$1/img/"; done; printf "$2" > "$D/$1/groundtruth_rect.txt"; }
mkseq huge '446,181,1e30,1e30\n446,181,29,26\n446,181,29,26\n'
mkseq six '446,181,29,26,1,2\n446,181,29,26,1,2\n446,181,29,26,1,2\n'
mkseq comma '446,5 181,2 29,1 26,3\n446,5 181,2 29,1 26,3\n446,5 181,2 29,1 26,3\n'
mkseq bom '\xef\xbb\xbf446,181,29,26\n446,181,29,26\n446,181,29,26\n'
mkseq mixed '446,181,29,26\n446,181,475,181,475,207,446,207\n446,181,29,26\n'
mkdir -p "$D/unpadded"; i=1; for f in $(ls $A/Skiing/img | head -12); do cp "$A/Skiing/img/$f" "$D/unpadded/$i.jpg"; i=$((i+1)); done
mkdir -p "$D/tiny"; python3 -c "
import struct, zlib
def png(w, h):
    raw = b''.join(b'\x00' + b'\x80' * (3 * w) for _ in range(h))
    c = lambda t, d: struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d) & 0xffffffff)
    return b'\x89PNG\r\n\x1a\n' + c(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 2, 0, 0, 0)) + c(b'IDAT', zlib.compress(raw)) + c(b'IEND', b'')
for i in range(3): open('$D/tiny/%d.png' % (i + 1), 'wb').write(png(8, 8))
"
python3 - "$D" "$SHIPPED" <<'PY'
import json, struct, sys, os
d, src = sys.argv[1], sys.argv[2]
raw = open(src, "rb").read()
n = struct.unpack("<Q", raw[:8])[0]; header = json.loads(raw[8:8 + n]); data = bytearray(raw[8 + n:])
def pack(name, h, body):
    b = json.dumps(h).encode()
    open(os.path.join(d, name), "wb").write(struct.pack("<Q", len(b)) + b + bytes(body))
w = "neck.0.conv.weight"; b0, b1 = header[w]["data_offsets"]
body = bytearray(data); struct.pack_into("<f", body, b0, 1e30); pack("huge-weight.safetensors", header, body)
body = bytearray(data); body[b0:b1] = b"\0" * (b1 - b0); pack("zero-weight.safetensors", header, body)
h = json.loads(json.dumps(header)); h["__metadata__"]["config"] = h["__metadata__"]["config"].replace('"score_size":25', '"score_size":17'); pack("score17.safetensors", h, data)
h = json.loads(json.dumps(header)); h["__metadata__"]["config"] = h["__metadata__"]["config"].replace('"stride":8', '"stride":16'); pack("stride16.safetensors", h, data)
PY
case_() {
  local what=$1; shift
  local out; out=$("$@" 2>&1 >/dev/null </dev/null); local code=$?
  [ -z "$out" ] && out=$("$@" 2>/dev/null </dev/null | tail -1)
  printf '%-34s exit %d  %s\n' "$what" "$code" "$(echo "$out" | grep -v '^warning' | head -1 | cut -c1-170)"
}
echo "== numbers out of any sane range"
case_ "--box with a 1e30 width"            $U track --input $A/Girl --box 1,1,1e30,5 --frames 3 --out $D/o.txt
case_ "ground truth box 1e30 wide"         $U track --input $D/huge --out $D/o.txt
case_ "--scale-count 999999"              $U track --input $A/Girl --scale-count 999999 --frames 3 --out $D/o.txt
case_ "--filter-capacity 100000000"       $U track --input $A/Girl --filter-capacity 100000000 --frames 3 --out $D/o.txt
case_ "--tre 100000"                      $U eval --sequences Girl --trackers kcf --tre 100000 --out $D/ev
case_ "a weight of 1e30"                  $U track --input $A/Girl --checkpoint $D/huge-weight.safetensors --frames 3 --out $D/o.txt
case_ "an all-zero weight tensor"         $U track --input $A/Girl --checkpoint $D/zero-weight.safetensors --frames 3 --out $D/o.txt
echo "== files that parse but mean something else"
case_ "ground truth with 6 columns"        $U track --input $D/six --out $D/o.txt
case_ "ground truth with decimal commas"   $U track --input $D/comma --out $D/o.txt
case_ "ground truth with a BOM (read)"     $U track --input $D/bom --out $D/o.txt
case_ "4 and 8 columns mixed"              $U track --input $D/mixed --out $D/o.txt
case_ "frames 1.jpg … 12.jpg (order)"      $U track --input $D/unpadded --box 446,181,29,26 --frames 12 --out $D/o.txt
case_ "config: score size 17"              $U track --input $A/Girl --checkpoint $D/score17.safetensors --frames 3 --out $D/o.txt
case_ "config: anchor stride 16"           $U track --input $A/Girl --checkpoint $D/stride16.safetensors --frames 3 --out $D/o.txt
echo "== errors a user can act on"
case_ "--out ending in /"                 $U track --input $A/Girl --frames 3 --out $D/boxes/
case_ "8×8 frames"                         $U track --input $D/tiny --box 1,1,4,4 --out $D/o.txt
case_ "a misspelt command"                 $U trak --input $A/Girl
case_ "an empty --trackers"                $U eval --trackers "" --out $D/ev
