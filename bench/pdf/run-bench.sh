#!/bin/sh
# run-bench.sh [BUILD_DIR] — size and speed of Posteingang's PDF/A writer, side by side with
# OCRmyPDF, on generated 300 dpi letters (see README.md). Writes $WORK/result.json.
#
# Environment: PE_BENCH_DIR (work folder, default /tmp/pe-bench-pdf), PE_BENCH_DOCS (letters to
# generate, default 10), PE_BENCH_OCRMYPDF_PAGES (colour pages given to OCRmyPDF, default 10; 0
# skips it), GEN_LETTERS (path of gen_letters.py).
# Needs: tesseract-ocr-deu; for the corpus Debian's python3-gi gir1.2-pango-1.0
# python3-gi-cairo python3-numpy python3-pil python3-qrcode and fonts; optionally ocrmypdf,
# and tools/pdfa-check's Java packages for the validation.
set -eu

SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-$SRC/_build}
BENCH=${PE_BENCH_PDFA:-$BUILD/bench/pdf/bench-pdfa}
WORK=${PE_BENCH_DIR:-/tmp/pe-bench-pdf}
DOCS=${PE_BENCH_DOCS:-10}
N_OCRMYPDF=${PE_BENCH_OCRMYPDF_PAGES:-10}
GEN_LETTERS=${GEN_LETTERS:-$SRC/../shared/corpus/gen_letters.py}

[ -x "$BENCH" ] || { echo "run-bench: $BENCH missing; build it with ninja -C $BUILD" >&2; exit 2; }
mkdir -p "$WORK/ocr" "$WORK/out" "$WORK/ocrmypdf"

# 1. Pages: deterministic, 300 dpi, colour only where the letter has colour (stamps, logos).
if [ ! -f "$WORK/corpus/truth.json" ]; then
  /usr/bin/python3 "$GEN_LETTERS" --out "$WORK/corpus" --docs "$DOCS" --seed 11 --mode mixed \
    --separators none --dpi 300 --jobs 2
fi
PAGES=$(ls "$WORK"/corpus/pages/p*.png)

# 2. The text layer: one Tesseract run per page, as the OCR stage stores it.
for p in $PAGES; do
  b=$(basename "$p" .png)
  [ -f "$WORK/ocr/$b.tsv" ] || OMP_THREAD_LIMIT=1 tesseract "$p" "$WORK/ocr/$b" -l deu tsv \
    >/dev/null 2>&1
done

# 3. Posteingang: every page bitonal, every colour page MRC.
# shellcheck disable=SC2086
"$BENCH" --ocr-dir "$WORK/ocr" --out-dir "$WORK/out" $PAGES > "$WORK/bench.json"

# 4. Validation of everything written.
VALID=null
if "$SRC/tools/pdfa-check" "$WORK"/out/*.pdf > "$WORK/pdfa-check.txt" 2>&1; then
  VALID=true
elif [ $? -eq 1 ]; then
  VALID=false
fi

# 5. OCRmyPDF on the colour pages (it runs its own OCR, so it is slow: about a minute a page).
if [ "$N_OCRMYPDF" -gt 0 ] && command -v ocrmypdf >/dev/null; then
  COLOUR=$(/usr/bin/python3 -c 'import json, sys
for p in json.load(open(sys.argv[1]))["pages"][:]:
    if "mrc" in p: print(p["page"])' "$WORK/bench.json" | head -n "$N_OCRMYPDF")
  for p in $COLOUR; do
    b=$(basename "$p" .png)
    if [ ! -f "$WORK/ocrmypdf/$b.pdf" ]; then
      start=$(date +%s.%N)
      ocrmypdf --output-type pdfa -l deu --jobs 2 "$p" "$WORK/ocrmypdf/$b.pdf" >/dev/null 2>&1
      awk "BEGIN { print $(date +%s.%N) - $start }" > "$WORK/ocrmypdf/$b.seconds"
    fi
  done
fi

# 6. One JSON with both.
/usr/bin/python3 - "$WORK" "$VALID" <<'EOF'
import glob, json, os, sys
work, valid = sys.argv[1], sys.argv[2]
bench = json.load(open(os.path.join(work, "bench.json")))
ocrmypdf = []
for pdf in sorted(glob.glob(os.path.join(work, "ocrmypdf", "*.pdf"))):
    name = os.path.basename(pdf)[:-4] + ".png"
    secs = pdf[:-4] + ".seconds"
    mrc = next((p["mrc"]["kb"] for p in bench["pages"]
                if os.path.basename(p["page"]) == name and "mrc" in p), None)
    ocrmypdf.append({"page": name, "kb": os.path.getsize(pdf) / 1024,
                     "seconds": float(open(secs).read()) if os.path.exists(secs) else None,
                     "posteingang_mrc_kb": mrc})
result = {"posteingang": bench, "pdfa_check_all_pass": json.loads(valid),
          "ocrmypdf": {"pages": ocrmypdf,
                       "kb_per_page": sum(p["kb"] for p in ocrmypdf) / len(ocrmypdf)
                       if ocrmypdf else None,
                       "posteingang_mrc_kb_per_page_same_pages":
                       sum(p["posteingang_mrc_kb"] for p in ocrmypdf) / len(ocrmypdf)
                       if ocrmypdf else None}}
json.dump(result, open(os.path.join(work, "result.json"), "w"), indent=1)
s = bench["summary"]
print(json.dumps({"bitonal_kb_per_page": s["bitonal_single_page_files"]["kb_per_page"],
                  "mrc_kb_per_page": s["mrc_single_page_files"]["kb_per_page"],
                  "write_ms_per_page_bitonal": s["bitonal_single_page_files"]["write_ms_per_page"],
                  "write_ms_per_page_mrc": s["mrc_single_page_files"]["write_ms_per_page"],
                  "g4_encode_ms_per_page": s["g4_encode_ms_per_page"],
                  "mrc_encode_ms_per_page": s["mrc_single_page_files"]["encode_ms_per_page"],
                  "pdfa_check_all_pass": result["pdfa_check_all_pass"],
                  "ocrmypdf_kb_per_page": result["ocrmypdf"]["kb_per_page"],
                  "posteingang_mrc_kb_same_pages":
                  result["ocrmypdf"]["posteingang_mrc_kb_per_page_same_pages"]}, indent=1))
EOF
