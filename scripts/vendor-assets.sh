#!/bin/sh
# Copy the browser libraries from node_modules into zhifa/web/static/vendor/ (committed), so the
# web UI never loads anything from a CDN at run time. Redo after changing package.json:
#
#   npm ci --no-audit --no-fund        # or: npm install --no-audit --no-fund
#   sh scripts/vendor-assets.sh
#
# Only the dist files and the licences are copied; node_modules itself is not committed.
set -eu

ROOT=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
NM="$ROOT/node_modules"
OUT="$ROOT/zhifa/web/static/vendor"

for pkg in leaflet htmx.org echarts; do
  if [ ! -f "$NM/$pkg/package.json" ]; then
    echo "error: $NM/$pkg missing; run 'npm ci --no-audit --no-fund' first" >&2
    exit 1
  fi
done

version() { node -p "require('$NM/$1/package.json').version"; }

rm -rf "$OUT"
mkdir -p "$OUT/leaflet/images" "$OUT/htmx" "$OUT/echarts"

# Leaflet: script, stylesheet, marker/layer images (the stylesheet refers to images/).
cp "$NM/leaflet/dist/leaflet.js" "$NM/leaflet/dist/leaflet.css" "$OUT/leaflet/"
cp "$NM/leaflet/dist/images/"*.png "$OUT/leaflet/images/"
cp "$NM/leaflet/LICENSE" "$OUT/leaflet/LICENSE"

# htmx 2.
cp "$NM/htmx.org/dist/htmx.min.js" "$OUT/htmx/"
cp "$NM/htmx.org/LICENSE" "$OUT/htmx/LICENSE"

# ECharts 6 (full minified build; the command screen needs several chart types).
cp "$NM/echarts/dist/echarts.min.js" "$OUT/echarts/"
cp "$NM/echarts/LICENSE" "$OUT/echarts/LICENSE"
cp "$NM/echarts/NOTICE" "$OUT/echarts/NOTICE"

# Strip the source-map comments: the .map files are not vendored, and a missing map makes
# browsers log a 404 in the developer console.
for f in "$OUT/leaflet/leaflet.js" "$OUT/htmx/htmx.min.js" "$OUT/echarts/echarts.min.js"; do
  sed -i '/^\/\/# sourceMappingURL=/d' "$f"
done

cat > "$OUT/VERSIONS.txt" <<VERS
# Written by scripts/vendor-assets.sh from node_modules (see package.json / package-lock.json).
leaflet $(version leaflet) BSD-2-Clause
htmx.org $(version htmx.org) 0BSD
echarts $(version echarts) Apache-2.0
VERS

echo "vendored into $OUT:"
cat "$OUT/VERSIONS.txt"
