#!/usr/bin/env bash
# Refresh the vendored packages with npm's own client: htmx and bpmn-js for the screens, and the
# Noto Serif SC regular and bold faces (OFL-1.1) that every issued document's PDF is set in.
# Nothing here runs at install, test or serve time: the files are committed, and
# tests/unit/test_vendor.py re-checks SHA256SUMS.
# Usage: scripts/update_vendor.sh [HTMX_VERSION] [BPMN_JS_VERSION] [NOTO_SERIF_SC_PACKAGE_VERSION]
set -euo pipefail
htmx_version=${1:-2.0.11}
bpmn_version=${2:-18.31.1}
font_version=${3:-0.4.3}
font_package=@expo-google-fonts/noto-serif-sc
root=$(cd "$(dirname "$0")/.." && pwd)
vendor="$root/app/static/vendor"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
npm pack --silent "htmx.org@$htmx_version" "bpmn-js@$bpmn_version" "$font_package@$font_version" >/dev/null
mkdir htmx bpmn font
tar xzf "htmx.org-$htmx_version.tgz" -C htmx
tar xzf "bpmn-js-$bpmn_version.tgz" -C bpmn
tar xzf "expo-google-fonts-noto-serif-sc-$font_version.tgz" -C font
rm -rf "$vendor"/htmx-* "$vendor"/bpmn-js-* "$vendor"/noto-serif-sc-*
mkdir -p "$vendor/htmx-$htmx_version" "$vendor/bpmn-js-$bpmn_version" "$vendor/noto-serif-sc-$font_version"
cp htmx/package/dist/htmx.min.js htmx/package/LICENSE "$vendor/htmx-$htmx_version/"
cp -r bpmn/package/dist/bpmn-modeler.production.min.js \
      bpmn/package/dist/bpmn-navigated-viewer.production.min.js \
      bpmn/package/dist/assets bpmn/package/LICENSE "$vendor/bpmn-js-$bpmn_version/"
# TrueType, not WOFF2: WeasyPrint decompresses a 6 MB WOFF2 face for about 90 s at first use
cp font/package/400Regular/NotoSerifSC_400Regular.ttf "$vendor/noto-serif-sc-$font_version/NotoSerifSC-Regular.ttf"
cp font/package/700Bold/NotoSerifSC_700Bold.ttf "$vendor/noto-serif-sc-$font_version/NotoSerifSC-Bold.ttf"
cp font/package/LICENSE_FONT "$vendor/noto-serif-sc-$font_version/OFL.txt"
{
  echo "# package version npm-integrity licence"
  echo "htmx.org $htmx_version $(npm view "htmx.org@$htmx_version" dist.integrity 2>/dev/null) 0BSD"
  echo "bpmn-js $bpmn_version $(npm view "bpmn-js@$bpmn_version" dist.integrity 2>/dev/null) bpmn.io-licence(MIT+visible-watermark)"
  echo "$font_package $font_version $(npm view "$font_package@$font_version" dist.integrity 2>/dev/null) OFL-1.1(font)"
} > "$vendor/VERSIONS"
(cd "$vendor" && find . -type f ! -name SHA256SUMS ! -name VERSIONS | LC_ALL=C sort | xargs sha256sum > SHA256SUMS)
echo "vendored into $vendor"
cat "$vendor/VERSIONS"
