#!/usr/bin/env bash
# Refresh the vendored front-end packages with npm's own client. Nothing here runs at install,
# test or serve time: the files are committed, and tests/unit/test_vendor.py re-checks SHA256SUMS.
# Usage: scripts/update_vendor.sh [HTMX_VERSION] [BPMN_JS_VERSION]
set -euo pipefail
htmx_version=${1:-2.0.11}
bpmn_version=${2:-18.31.1}
root=$(cd "$(dirname "$0")/.." && pwd)
vendor="$root/app/static/vendor"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
npm pack --silent "htmx.org@$htmx_version" "bpmn-js@$bpmn_version" >/dev/null
mkdir htmx bpmn
tar xzf "htmx.org-$htmx_version.tgz" -C htmx
tar xzf "bpmn-js-$bpmn_version.tgz" -C bpmn
rm -rf "$vendor"/htmx-* "$vendor"/bpmn-js-*
mkdir -p "$vendor/htmx-$htmx_version" "$vendor/bpmn-js-$bpmn_version"
cp htmx/package/dist/htmx.min.js htmx/package/LICENSE "$vendor/htmx-$htmx_version/"
cp -r bpmn/package/dist/bpmn-modeler.production.min.js \
      bpmn/package/dist/bpmn-navigated-viewer.production.min.js \
      bpmn/package/dist/assets bpmn/package/LICENSE "$vendor/bpmn-js-$bpmn_version/"
{
  echo "# package version npm-integrity licence"
  echo "htmx.org $htmx_version $(npm view "htmx.org@$htmx_version" dist.integrity 2>/dev/null) 0BSD"
  echo "bpmn-js $bpmn_version $(npm view "bpmn-js@$bpmn_version" dist.integrity 2>/dev/null) bpmn.io-licence(MIT+visible-watermark)"
} > "$vendor/VERSIONS"
(cd "$vendor" && find . -type f ! -name SHA256SUMS ! -name VERSIONS | LC_ALL=C sort | xargs sha256sum > SHA256SUMS)
echo "vendored into $vendor"
cat "$vendor/VERSIONS"
