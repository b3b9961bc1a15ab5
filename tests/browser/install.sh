#!/usr/bin/env bash
# Installs what the browser tests need, and nothing when it is all there already (quiet then):
#   Debian's chromium + chromium-driver, nginx (nginx.test.mjs serves the site with the README's
#   config), Java 17+ for the Nu HTML checker, and the Node packages pinned in package-lock.json
#   (npm ci, without install scripts: Playwright must never download a browser, and vnu-jar's
#   script would only fetch a Java we have).
# Needs Node >= 20 with npm; runs as root or with sudo. Waits for a dpkg lock held by another apt.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
SUDO=""; [[ $(id -u) -eq 0 ]] || SUDO="sudo"

# ---------------------------------------------------------------- apt: chromium, fonts, nginx, java
# The fonts are named so that layout (and so the 320 px and target-size checks) is the same everywhere.
missing=()
for p in chromium chromium-driver fonts-liberation fonts-dejavu-core nginx; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
java -version 2>&1 | grep -qE 'version "(1[7-9]|[2-9][0-9])' || missing+=(openjdk-17-jre-headless)
if ((${#missing[@]})); then
  echo "install.sh: apt-get install ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  # Another apt may be running: wait for its lock rather than fail.
  for try in {1..30}; do
    $SUDO apt-get -qq -o DPkg::Lock::Timeout=60 update >&2 && break
    ((try < 30)) || exit 1
    echo "install.sh: apt-get update failed (apt busy?); retrying in 10 s" >&2; sleep 10
  done
  $SUDO apt-get -qq -o DPkg::Lock::Timeout=900 install -y "${missing[@]}" >&2
fi

# ---------------------------------------------------------------- npm: playwright-core, axe-core, vnu-jar
command -v node >/dev/null || { echo "install.sh: node >= 20 is required" >&2; exit 1; }
if (($(node -p 'process.versions.node.split(".")[0]') < 20)); then
  echo "install.sh: node $(node --version) is too old; playwright-core needs >= 20" >&2
  exit 1
fi
# node_modules is stale when any package in the lock is missing or at another version.
stale=$(node -e '
  const fs = require("fs");
  const lock = JSON.parse(fs.readFileSync("package-lock.json", "utf8"));
  for (const [p, { version }] of Object.entries(lock.packages)) {
    if (!p) continue;
    let v; try { v = JSON.parse(fs.readFileSync(p + "/package.json", "utf8")).version; } catch {}
    if (v !== version) { console.log(p); break; }
  }')
if [[ -n "$stale" ]]; then
  echo "install.sh: npm ci (${stale} missing or stale)" >&2
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2
fi
