#!/usr/bin/env bash
# The README's two commands land here:
#   npm start  -> bash scripts/academy.sh start   install, build and run the Academy on :3000
#   npm test   -> bash scripts/academy.sh test    the whole test suite
# Both work on a fresh clone whose system Node is older than 22: scripts/node.sh provides Node 24.
set -euo pipefail
cd "$(dirname "$0")/.."

NODE_DIR=$(bash scripts/node.sh sh -c 'dirname "$(command -v node)"')
export PATH="$NODE_DIR:$PATH"
export NEXT_TELEMETRY_DISABLED=1

say() { printf '\033[1macademy:\033[0m %s\n' "$*" >&2; }

ensure_dependencies() {
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    say "installing dependencies (npm ci)"
    npm ci --no-audit --no-fund --loglevel=error
  fi
}

# Fingerprint of everything that goes into the production build, so a build is reused when
# nothing changed and redone when anything did.
build_fingerprint() {
  find app lib tools content labs public drizzle next.config.mjs package-lock.json tsconfig.json \
    -path public/monaco -prune -o -type f -not -name '*.test.ts' -not -name '*.test.tsx' -print 2>/dev/null |
    LC_ALL=C sort | xargs sha1sum | sha1sum | cut -c1-40
}

ensure_build() {
  local fingerprint
  fingerprint=$(build_fingerprint)
  if [ -f .next/BUILD_ID ] && [ "$(cat .next/academy-fingerprint 2>/dev/null)" = "$fingerprint" ]; then
    return
  fi
  say "checking content (npm run content:check)"
  npx tsx --conditions=react-server scripts/content-check.ts
  say "building the production site (next build)"
  npx next build
  echo "$fingerprint" > .next/academy-fingerprint
}

# Installs Debian packages the test suite needs when they are missing and we may (root with apt).
ensure_debian_packages() {
  local missing=()
  [ -x "${ACADEMY_CHROMIUM:-/usr/bin/chromium}" ] || missing+=(chromium)
  command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
  command -v shellcheck >/dev/null 2>&1 || missing+=(shellcheck)
  command -v openssl >/dev/null 2>&1 || missing+=(openssl)
  command -v flock >/dev/null 2>&1 || missing+=(util-linux)
  [ "${#missing[@]}" -eq 0 ] && return
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing from Debian: ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    say "the tests need these packages: ${missing[*]} (Debian/Ubuntu: sudo apt-get install ${missing[*]})"
    exit 1
  fi
}

case "${1:-}" in
  start)
    ensure_dependencies
    ensure_build
    if [ -z "${KUBECONFIG:-}" ]; then
      # Lab sandboxes need a cluster. Without KUBECONFIG, bring up the local control plane in the
      # background (the first build takes minutes; later starts take seconds); lab pages show its
      # state and, if it cannot be built here, how to connect a cluster instead.
      data_dir="${ACADEMY_DATA_DIR:-.academy-data}"
      mkdir -p "$data_dir"
      say "starting the local Kubernetes control plane in the background (log: $data_dir/cluster-start.log)"
      nohup npx tsx scripts/cluster.ts start >"$data_dir/cluster-start.log" 2>&1 &
    fi
    say "opening the database"
    npx tsx --conditions=react-server scripts/db-migrate.ts
    say "starting Academy on http://localhost:${PORT:-3000}"
    export NEXTAUTH_URL="${NEXTAUTH_URL:-http://localhost:${PORT:-3000}}"
    exec npx next start --port "${PORT:-3000}"
    ;;
  test)
    ensure_dependencies
    ensure_debian_packages
    if [ -z "${ACADEMY_TEST_DATABASE_URL:-}" ]; then
      say "starting a throw-away PostgreSQL server for the database tests"
      ACADEMY_TEST_DATABASE_URL=$(bash scripts/test-postgres.sh start)
      export ACADEMY_TEST_DATABASE_URL
    fi
    export ACADEMY_CHROMIUM="${ACADEMY_CHROMIUM:-/usr/bin/chromium}"
    if [ -z "${ACADEMY_TEST_KUBECONFIG:-}" ]; then
      # Before Vitest: on a fresh machine this builds the control plane first (minutes, with
      # progress), which no test hook could wait for. The cluster tests, labs:verify and the
      # end-to-end tests then all use this cluster.
      say "local Kubernetes cluster (control plane, KWOK nodes and the real node) for the cluster and end-to-end tests"
      # The tests run real containers: a machine that cannot run the real node fails here, saying why.
      ACADEMY_CLUSTER_REAL_NODE="${ACADEMY_CLUSTER_REAL_NODE:-on}" npx tsx scripts/cluster.ts start
      ACADEMY_TEST_KUBECONFIG="$(realpath -m -s "${ACADEMY_DATA_DIR:-.academy-data}")/cluster/admin.kubeconfig"
      export ACADEMY_TEST_KUBECONFIG
    fi
    say "type-checking and linting"
    npx tsc --noEmit -p .
    npx eslint --max-warnings=0 .
    say "checking content"
    npx tsx --conditions=react-server scripts/content-check.ts
    say "unit and integration tests (Vitest)"
    npx vitest run
    say "lab self-test: every solution passes, no starter completes its lab"
    npx tsx --conditions=react-server scripts/labs-verify.ts
    ensure_build
    say "end-to-end tests in Chromium (Playwright)"
    npx playwright test
    ;;
  bench-pages)
    ensure_dependencies
    ensure_build
    exec npx tsx scripts/bench-pages.ts "${@:2}"
    ;;
  *)
    echo "usage: bash scripts/academy.sh start|test|bench-pages" >&2
    exit 2
    ;;
esac
