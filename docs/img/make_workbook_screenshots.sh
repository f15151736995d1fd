#!/bin/sh
# Renders the workbook template (filled from fixture 01, in Chinese) to the PNGs docs/workbook.md shows.
# Needs LibreOffice (libreoffice-calc-nogui), poppler-utils (pdftoppm) and a CJK font (fonts-wqy-microhei).
set -eu
cd "$(dirname "$0")/../.."
out=$(mktemp -d)
python3 cli.py template --format xlsx --lang zh --from fixtures/01_county_compliant.yaml -o "$out/book.xlsx"
python3 - "$out" <<'PY'
import sys
from openpyxl import load_workbook
out = sys.argv[1]
for keep, area in (("instructions", "A1:A28"), ("platforms", "A1:I14"), ("components", "A1:E12")):
    wb = load_workbook(f"{out}/book.xlsx")
    for ws in list(wb.worksheets):
        if ws.title.split()[-1] != keep:
            wb.remove(ws)
    ws = wb.worksheets[0]
    ws.print_area = area
    ws.page_setup.orientation = "landscape"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 1
    ws.print_options.gridLines = True
    wb.save(f"{out}/{keep}.xlsx")
PY
for keep in instructions platforms components; do
  (cd "$out" && soffice --headless --convert-to pdf "$keep.xlsx" >/dev/null 2>&1)
  pdftoppm -png -r 90 -singlefile "$out/$keep.pdf" "docs/img/workbook-$keep"
done
rm -rf "$out"
ls -l docs/img/workbook-*.png
