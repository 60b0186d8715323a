#!/usr/bin/env bash
# CI check: every published package changed since the last release is named by a pending
# changeset, and the pending changesets force no major bump that no changeset asked for.
#
# What "since the last release" means, so that it works on a fresh clone of main, where the
# changesets are already committed and there is no base branch to diff against:
#   1. $CHANGESET_BASE, when set (a branch, tag or commit; a PR build can pass its target);
#   2. else the last commit that deleted a pending changeset: `changeset version` consumes
#      them, so that commit is the last release;
#   3. else the first commit: nothing was released yet, so every change counts.
# A shallow clone is deepened first; when it cannot be, the check is skipped, saying why.
#
#   scripts/check-changesets.sh            ALLOW_FORCED_MAJOR=1 to accept a forced major
set -euo pipefail
cd "$(dirname "$0")/.."

if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  echo "check-changesets: skipped: $(pwd) is not a git checkout, so there is nothing to compare with"
  exit 0
fi
if [ "$(git rev-parse --is-shallow-repository)" = true ]; then
  timeout 120 git fetch --quiet --unshallow >/dev/null 2>&1 || true
  if [ "$(git rev-parse --is-shallow-repository)" = true ]; then
    echo "check-changesets: skipped: this is a shallow clone and its history could not be fetched;"
    echo "  clone with full history (e.g. fetch-depth: 0) to run it"
    exit 0
  fi
fi

if [ -n "${CHANGESET_BASE:-}" ]; then
  base=$(git rev-parse --verify --quiet "${CHANGESET_BASE}^{commit}") || {
    echo "check-changesets: CHANGESET_BASE=${CHANGESET_BASE} is not a commit in this clone" >&2
    exit 1
  }
  why="CHANGESET_BASE=${CHANGESET_BASE}"
else
  base=$(git log -1 --format=%H --diff-filter=D -- ':(glob).changeset/*.md' ':(exclude).changeset/README.md')
  why="the last release (the last commit that consumed changesets)"
  if [ -z "$base" ]; then
    base=$(git rev-list --max-parents=0 HEAD | tail -n 1)
    why="the first commit (nothing has been released yet)"
  fi
fi

echo "check-changesets: comparing with $(git log -1 --format='%h %s' "$base"), ${why}"
flags=()
[ "${ALLOW_FORCED_MAJOR:-}" = 1 ] && flags+=(--allow-forced-major)
exec timeout 300 node scripts/lib/changeset-coverage.mjs "$base" "${flags[@]}"
