#!/usr/bin/env bash
# Installs what the dashboard's browser tests use, when missing: Chromium and a Java runtime
# from the distribution's packages, and the Nu HTML validator (vnu-jar) and axe-core from npm
# into target/browser-tools (ignored by git). Safe to run again.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

sudo_if_needed() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ "${#missing[@]}" -gt 0 ]; then
    echo "== installing ${missing[*]}"
    sudo_if_needed apt-get update -q
    sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
fi

tools=target/browser-tools
if [ ! -f "$tools/node_modules/vnu-jar/build/dist/vnu.jar" ] || [ ! -f "$tools/node_modules/axe-core/axe.min.js" ]; then
    echo "== installing vnu-jar and axe-core into $tools"
    mkdir -p "$tools"
    [ -f "$tools/package.json" ] || echo '{ "private": true }' > "$tools/package.json"
    npm install --prefix "$tools" --no-audit --no-fund --ignore-scripts vnu-jar@26 axe-core@4
fi
