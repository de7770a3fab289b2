#!/usr/bin/env bash
# The HTML report of a matrix run in headless Chromium: the page must parse
# into the matrix, the findings and their timelines (Chromium's DOM dump),
# and must render them (the screenshot has the matrix's failing and passing
# cells in their colours). Installs Debian's chromium when it is missing.
#   report_browser_test.sh DSIFUZZ SOURCE_DIR [SCREENSHOT_OUT]
set -euo pipefail
bin=$(realpath "$1")
src=$(realpath "$2")
shot_out=${3:+$(realpath -m "$3")}
fail() { echo "FAIL: $*" >&2; exit 1; }

if [[ "$(dpkg-query -W -f '${Status}' chromium 2>/dev/null)" != "install ok installed" ]]; then
  echo "report_browser_test: installing chromium" >&2
  sudo=()
  ((EUID == 0)) || sudo=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq >&2
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends chromium >&2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
# From the source tree, so that the page names corpus/FILE.
(cd "$src" && "$bin" matrix --runs 300 --corpus corpus --report "$work/rep") \
  >matrix.txt 2>matrix.err || fail "matrix: $(cat matrix.err)"
[[ -s rep/index.html ]] || fail "no rep/index.html"
# Self-contained: no script, no external reference.
if grep -Eiq '<script|<link|src=|@import|url\(' rep/index.html; then
  fail "the page refers to something outside it or has a script"
fi

# A fresh profile each run, nothing from the network.
chrome() {
  timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic \
    --no-first-run --disable-background-networking --disable-component-update \
    --disable-sync --user-data-dir="$work/profile" "$@" 2>>chromium.err
}
chrome --dump-dom "file://$work/rep/index.html" >dom.html ||
  fail "chromium --dump-dom: $(tail -5 chromium.err)"
chrome --window-size=1280,1400 --screenshot="$work/shot.png" \
  "file://$work/rep/index.html" >/dev/null || fail "chromium --screenshot: $(tail -5 chromium.err)"
[[ -z "$shot_out" ]] || cp shot.png "$shot_out"

python3 - "$work" <<'PY'
import html.parser, json, struct, sys, zlib

work = sys.argv[1]
matrix = json.load(open(f"{work}/rep/report.json"))

# What Chromium parsed.
class Dom(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.cells = {"ok": 0, "fail": 0}
        self.findings = []
        self.svgs = 0
        self.in_matrix = False
        self.coverage_rows = 0
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table" and a.get("class") == "matrix":
            self.in_matrix = True
        if tag == "td" and self.in_matrix and a.get("class") in self.cells:
            self.cells[a["class"]] += 1
        if tag == "article" and a.get("class") == "finding":
            self.findings.append(a.get("data-title"))
        if tag == "svg":
            self.svgs += 1
        if tag == "tr" and a.get("class") in ("reached", "never", "beyond"):
            self.coverage_rows += 1
    def handle_endtag(self, tag):
        if tag == "table":
            self.in_matrix = False

dom = Dom()
dom.feed(open(f"{work}/dom.html", encoding="utf-8").read())
failing = sum(1 for c in matrix["cells"] if c["verdict"] == "fail")
ok = len(matrix["cells"]) - failing
assert failing > 0, "the matrix has no failing cell"
assert dom.cells == {"ok": ok, "fail": failing}, (dom.cells, ok, failing)
assert "use-after-free in mipi_dsi_detach" in dom.findings, dom.findings
assert dom.svgs == len(dom.findings) > 0, (dom.svgs, len(dom.findings))
assert dom.coverage_rows > 0, "no coverage table"

# What Chromium drew: decode the screenshot (8-bit RGB/RGBA PNG) and count
# the pixels of the failing (#fdecea) and passing (#e9f7ef) cells.
data = open(f"{work}/shot.png", "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat, width = 8, b"", 0
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", body)
        assert depth == 8 and color in (2, 6) and interlace == 0, (depth, color)
        bpp = 3 if color == 2 else 4
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
raw = zlib.decompress(idat)
stride = width * bpp
prev = bytearray(stride)
counts = {(0xfd, 0xec, 0xea): 0, (0xe9, 0xf7, 0xef): 0}
for y in range(height):
    f = raw[y * (stride + 1)]
    line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for i in range(stride):
        a = line[i - bpp] if i >= bpp else 0
        b = prev[i]
        c = prev[i - bpp] if i >= bpp else 0
        if f == 1: line[i] = (line[i] + a) & 255
        elif f == 2: line[i] = (line[i] + b) & 255
        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    for x in range(0, stride, bpp):
        px = tuple(line[x:x + 3])
        if px in counts:
            counts[px] += 1
    prev = line
fail_px, ok_px = counts[(0xfd, 0xec, 0xea)], counts[(0xe9, 0xf7, 0xef)]
# Each cell is at least 60x15 pixels.
assert fail_px > 900 * failing // 2 and ok_px > 900 * ok // 2, (fail_px, ok_px)
print(f"browser: {failing} failing and {ok} ok cells parsed and drawn "
      f"({fail_px} and {ok_px} pixels), {len(dom.findings)} findings with timelines")
PY
