#!/usr/bin/env bash
# Regenerates docs/screenshot-*.png from the demo's reports (not run by CI).
# Needs: chromium, poppler-utils (pdftoppm), libreoffice-calc-nogui, fonts-noto-cjk.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
.venv/bin/junheng demo --out "$out" >/dev/null
rep="$out/quality-2017"
chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
  --hide-scrollbars --window-size=1100,1400 --screenshot=docs/screenshot-html.png \
  "file://$rep/evaluation.html" 2>/dev/null
pdftoppm -png -r 60 -f 1 -l 2 "$rep/evaluation.pdf" "$out/pdf"
cp "$out/pdf-01.png" docs/screenshot-pdf-page1.png
cp "$out/pdf-02.png" docs/screenshot-pdf-page2.png
(cd "$out" && libreoffice --headless --convert-to pdf "$rep/evaluation.xlsx" >/dev/null 2>&1)
pdftoppm -png -r 60 -f 1 -l 1 "$out/evaluation.pdf" "$out/xlsx"
cp "$out/xlsx-1.png" docs/screenshot-xlsx.png 2>/dev/null || cp "$out/xlsx-01.png" docs/screenshot-xlsx.png
echo "screenshots written to docs/"
