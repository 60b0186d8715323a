#!/usr/bin/env bash
# Release rehearsal: does what `npm run version-packages` and `npm run release` would do,
# but on a scratch copy of the repo and into a throwaway verdaccio on loopback, then installs
# the published packages in a fresh project outside the monorepo and runs the conformance
# suite there against a real redis-server and a real IPC pair.
#
# Never touches the real registry: publishing runs with a temporary user npmrc and
# npm_config_registry pointing at the local verdaccio (which has no uplinks), and stops if
# npm would resolve anything else. Never touches this checkout either: versions, changelogs
# and git tags are made in the scratch copy. Everything it starts or writes is removed on
# every exit path; every step is bounded in time.
#
#   scripts/release-rehearsal.sh
#   VERDACCIO_VERSION=5.33.0 scripts/release-rehearsal.sh     (6.8.0 by default)
#   KEEP_REHEARSAL=1 ...                                      (keep the temp dir, for debugging)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
VERDACCIO_VERSION=${VERDACCIO_VERSION:-6.8.0}
SCOPE=@statewire

# npm exports its own settings to scripts it runs (`npm run ...`); none of them may leak
# into the scratch repo, the publish or the consumer project.
while IFS= read -r name; do unset "$name"; done < <(compgen -e | grep -E '^npm_(config|package|lifecycle)_' || true)
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
export TURBO_TELEMETRY_DISABLED=1

WORK=$(mktemp -d "${TMPDIR:-/tmp}/statewire-rehearsal.XXXXXX")
VERDACCIO_PID=''
REDIS_PID=''
STARTED=$SECONDS

stop() {
  local pid=$1
  [ -n "$pid" ] || return 0
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
}
cleanup() {
  local status=$?
  trap - EXIT INT TERM HUP
  stop "$VERDACCIO_PID"
  stop "$REDIS_PID"
  if [ "${KEEP_REHEARSAL:-}" = 1 ]; then echo "rehearsal: kept $WORK"; else rm -rf "$WORK"; fi
  if [ "$status" -eq 0 ]; then
    echo "rehearsal: passed in $((SECONDS - STARTED))s"
  else
    echo "rehearsal: FAILED (exit $status) after $((SECONDS - STARTED))s"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

STEP_STARTED=0
step() {
  STEP_STARTED=$SECONDS
  echo "== $*"
}
done_step() { echo "   ($((SECONDS - STEP_STARTED))s)"; }
fail() {
  echo "rehearsal: $*" >&2
  exit 1
}
# Runs a command bounded in time; on failure shows the tail of its log.
bounded() {
  local limit=$1 log=$2
  shift 2
  if ! timeout --kill-after=10 "$limit" "$@" >"$log" 2>&1; then
    tail -n 60 "$log" >&2
    fail "'$*' failed or took over ${limit}s (log above)"
  fi
}
free_port() {
  node -e "const s=require('node:net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}
wait_for() {
  local what=$1 limit=$2 pid=$3
  shift 3
  for _ in $(seq $((limit * 10))); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.1
  done
  echo "rehearsal: $what did not answer within ${limit}s" >&2
  return 1
}

# -- 0. what is needed ------------------------------------------------------------------
command -v curl >/dev/null || fail 'curl is needed'
if ! command -v redis-server >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    step 'install redis-server (apt-get)'
    export DEBIAN_FRONTEND=noninteractive
    bounded 300 "$WORK/apt.log" apt-get update -qq
    bounded 300 "$WORK/apt.log" apt-get install -y -qq --no-install-recommends redis-server
    done_step
  else
    fail 'redis-server is not installed: install it (Debian/Ubuntu: sudo apt-get install -y redis-server)'
  fi
fi

# -- 1. a scratch clone of the working tree: sources, changesets, lockfile ---------------
# Nothing of this checkout is used in place (not even node_modules: npm writes into the
# node_modules of the project it runs in), so versions, changelogs and tags stay in scratch.
step 'scratch copy of the repo (tracked and new files, as committed or not)'
REPO="$WORK/repo"
mkdir -p "$REPO"
if git -C "$ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  git -C "$ROOT" ls-files -co --exclude-standard -z |
    tar -C "$ROOT" --null --ignore-failed-read -T - -cf - 2>/dev/null | tar -C "$REPO" -xf -
else
  tar -C "$ROOT" --exclude=node_modules --exclude=.git --exclude=.turbo --exclude=dist -cf - . |
    tar -C "$REPO" -xf -
fi
git_scratch() { git -C "$REPO" -c user.name=rehearsal -c user.email=rehearsal@localhost "$@"; }
git_scratch init -q -b main
git_scratch add -A
git_scratch commit -qm 'rehearsal base'
done_step

step 'npm ci in the scratch copy'
(cd "$REPO" && bounded 600 "$WORK/ci.log" npm ci --no-audit --no-fund)
done_step

# -- 2. version: the repo's own script, as the release PR would run it -------------------
step 'npm run version-packages (changeset version && npm install --package-lock-only)'
(cd "$REPO" && bounded 300 "$WORK/version.log" npm run version-packages)
git_scratch add -A
git_scratch commit -qm 'Version Packages' --allow-empty
VERSIONS=$(cd "$REPO" && node -e '
  const fs = require("node:fs");
  for (const dir of fs.readdirSync("packages")) {
    const file = `packages/${dir}/package.json`;
    if (!fs.existsSync(file)) continue;
    const pkg = JSON.parse(fs.readFileSync(file, "utf8"));
    if (!pkg.private) console.log(`${pkg.name}@${pkg.version}`);
  }')
echo "$VERSIONS" | sed 's/^/   /'
version_of() { echo "$VERSIONS" | grep "^$1@" | head -n 1 | sed "s|^$1@||"; }
done_step

# -- 3. verdaccio on loopback, installed in the temp dir, no uplinks ----------------------
step "verdaccio ${VERDACCIO_VERSION} (install into the temp dir)"
VD="$WORK/verdaccio"
mkdir -p "$VD/storage"
cat >"$VD/package.json" <<EOF
{
  "private": true,
  "dependencies": { "verdaccio": "${VERDACCIO_VERSION}" },
  "overrides": { "verdaccio-audit": { "node-fetch": "2.7.0" } }
}
EOF
(cd "$VD" && bounded 300 "$WORK/verdaccio-install.log" npm install --no-audit --no-fund --ignore-scripts --no-package-lock)
VPORT=$(free_port)
REGISTRY="http://127.0.0.1:${VPORT}/"
touch "$VD/htpasswd"
cat >"$VD/config.yaml" <<EOF
storage: ${VD}/storage
auth:
  htpasswd:
    file: ${VD}/htpasswd
    max_users: -1
uplinks: {}
packages:
  '@*/*':
    access: \$all
    publish: \$all
  '**':
    access: \$all
    publish: \$all
web:
  enable: false
listen: 127.0.0.1:${VPORT}
max_body_size: 100mb
publish:
  allow_offline: true
log: { type: stdout, format: pretty, level: warn }
EOF
(cd "$VD" && exec node node_modules/verdaccio/bin/verdaccio --config "$VD/config.yaml") >"$WORK/verdaccio.log" 2>&1 &
VERDACCIO_PID=$!
if ! wait_for verdaccio 60 "$VERDACCIO_PID" curl -sf "${REGISTRY}-/ping"; then
  tail -n 40 "$WORK/verdaccio.log" >&2
  fail 'verdaccio did not start'
fi
echo "   listening on ${REGISTRY}"
done_step

# -- 4. release: the repo's own script (turbo run build && changeset publish), to verdaccio
step 'npm run release (the root script: build, then changeset publish), to the local verdaccio only'
PUBLISH_RC="$WORK/publish.npmrc"
printf 'registry=%s\n//127.0.0.1:%s/:_authToken=rehearsal-dummy-token\n' "$REGISTRY" "$VPORT" >"$PUBLISH_RC"
publish_env=(
  env "npm_config_userconfig=$PUBLISH_RC" "npm_config_registry=$REGISTRY"
  "npm_config_${SCOPE}:registry=$REGISTRY" npm_config_provenance=false
)
for probe in "$REPO" "$REPO/packages/core"; do
  for key in registry "${SCOPE}:registry"; do
    got=$(cd "$probe" && "${publish_env[@]}" npm config get "$key" --workspaces=false 2>&1) ||
      fail "npm config get ${key} failed in ${probe}: ${got}"
    [ "$got" = "$REGISTRY" ] || fail "npm would publish to '$got' (${key} in ${probe}), not the local verdaccio: stopping"
  done
done
(cd "$REPO" && bounded 900 "$WORK/publish.log" "${publish_env[@]}" npm run release)
grep -E 'published|error|warn' "$WORK/publish.log" | grep -v nodedir | sed 's/^/   /' || true
# A loaded machine may answer a package's metadata a moment after its publish returned:
# asked again for up to ~10 s before failing, with the publish log's end shown then.
on_registry() {
  curl -sf --max-time 10 "${REGISTRY}$(echo "${1%@*}" | sed 's|/|%2f|')" | grep -q "\"${1##*@}\""
}
for spec in $VERSIONS; do
  for attempt in $(seq 20); do
    on_registry "$spec" && break
    if [ "$attempt" = 20 ]; then
      tail -n 40 "$WORK/publish.log" | sed 's/^/   | /'
      fail "${spec} is not on the local registry after changeset publish"
    fi
    sleep 0.5
  done
done
echo "   on the local registry: $(echo $VERSIONS)"
done_step

# -- 5. a fresh consumer project outside the monorepo -------------------------------------
step 'consumer project: install the published packages (our scope from verdaccio only)'
CONSUMER="$WORK/consumer"
mkdir -p "$CONSUMER"
cp "$ROOT"/scripts/rehearsal/consumer/* "$CONSUMER/"
cat >"$CONSUMER/package.json" <<'EOF'
{ "name": "statewire-rehearsal-consumer", "private": true, "type": "module" }
EOF
printf '%s:registry=%s\n' "$SCOPE" "$REGISTRY" >"$CONSUMER/.npmrc"
dev_version() { node -p "require('$REPO/node_modules/$1/package.json').version"; }
(cd "$CONSUMER" && bounded 300 "$WORK/consumer-install.log" npm install --no-audit --no-fund \
  "@statewire/core@$(version_of @statewire/core)" \
  "@statewire/ipc@$(version_of @statewire/ipc)" \
  "@statewire/redis@$(version_of @statewire/redis)" \
  "@statewire/conformance@$(version_of @statewire/conformance)" \
  "@statewire/keyv@$(version_of @statewire/keyv)" \
  "@statewire/rate-limit@$(version_of @statewire/rate-limit)" \
  "@statewire/session@$(version_of @statewire/session)" \
  "keyv@$(dev_version keyv)" "express-rate-limit@$(dev_version express-rate-limit)" \
  "express-session@$(dev_version express-session)" "@types/express-session@$(dev_version @types/express-session)" \
  "vitest@$(dev_version vitest)" "typescript@$(dev_version typescript)" \
  "@types/node@$(dev_version @types/node)")
(cd "$CONSUMER" && npm ls --depth=0 2>/dev/null | sed 's/^/   /')
done_step

step 'consumer project: typecheck against the published .d.ts (tsc, NodeNext, strict)'
(cd "$CONSUMER" && bounded 180 "$WORK/tsc.log" ./node_modules/.bin/tsc -p tsconfig.json)
done_step

# -- 6. a throwaway redis-server --------------------------------------------------------
step 'redis-server on a free loopback port'
RPORT=$(free_port)
redis-server --port "$RPORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
  --dir "$WORK" >"$WORK/redis.log" 2>&1 &
REDIS_PID=$!
redis_ping() { exec 3<>"/dev/tcp/127.0.0.1/$RPORT" && printf 'PING\r\n' >&3 && read -r -t 1 line <&3 && [[ $line == +PONG* ]]; }
if ! wait_for redis-server 30 "$REDIS_PID" redis_ping; then
  tail -n 20 "$WORK/redis.log" >&2
  fail 'redis-server did not start'
fi
echo "   redis://127.0.0.1:${RPORT}"
done_step

# -- 7. the conformance suite, from the published packages ---------------------------------
step 'consumer project: vitest run (conformance on redis and on an IPC pair, the integrations on redis)'
if ! (cd "$CONSUMER" && REDIS_URL="redis://127.0.0.1:${RPORT}" CI=true NO_COLOR=1 \
  timeout --kill-after=10 900 ./node_modules/.bin/vitest run 2>&1 | tee "$WORK/vitest.log" | tail -n 15); then
  grep -E 'FAIL|✗|×|AssertionError|Error:' "$WORK/vitest.log" | head -n 40 >&2 || true
  fail 'the conformance suite failed against the published packages'
fi
grep -qE 'Tests +[0-9]+ passed' "$WORK/vitest.log" || fail 'vitest ran no test'
done_step
