#!/usr/bin/env bash
# What a machine without a Docker engine can prove about deploy/: the files' structure
# (check-config.mjs), then the image's own steps in a temporary directory — the files the
# Dockerfile copies, `npm ci` (or, with --reuse-node-modules, a copy of this checkout's), `npm run build`, a CLI from the tools stage, `npm prune --omit=dev`,
# the runtime stage's files only — and a production start as an unprivileged user, answered on
# /healthz and by the image's HEALTHCHECK command. Not proven here: the base images, apt-get in the
# build stage, Docker's own COPY/USER/VOLUME semantics, Caddy and the compose network.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

node deploy/check-config.mjs

work=$(mktemp -d /tmp/ferry-image-XXXXXX)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
chmod 755 "$work"
step() { printf '\n▶ image step: %s\n' "$*"; }

# --- build stage (the Dockerfile's COPY lines, in order) -------------------------------------
build="$work/build-stage"
mkdir -p "$build"
cp package.json package-lock.json "$build/"
if [ "${1:-}" = "--reuse-node-modules" ]; then
  # CI has just run `npm ci` from the same lockfile: copy that result (hard links where possible;
  # the prune below only unlinks) instead of downloading and extracting everything again.
  step "node_modules from this checkout's npm ci (--reuse-node-modules)"
  cp -al node_modules "$build/" 2>/dev/null || { rm -rf "$build/node_modules"; cp -a node_modules "$build/"; }
  (cd "$build" && npm ls --all >/dev/null) || { echo "✖ this checkout's node_modules does not match package-lock.json"; exit 1; }
else
  step "npm ci"
  (cd "$build" && npm ci --no-audit --no-fund --prefer-offline --loglevel=error)
fi
cp -r remix.config.js remix.env.d.ts tsconfig.json app migrations public "$build/"
rm -rf "$build/public/build"
step "npm run build"
(cd "$build" && npm run build --silent)

# The tools image is this stage: its CLIs must work (tsx is a dev dependency).
step "tools stage: npm run ledger:verify"
(cd "$build" && DATABASE_URL="$work/tools.sqlite" npm run --silent ledger:verify)

step "npm prune --omit=dev"
(cd "$build" && npm prune --omit=dev --no-audit --no-fund --loglevel=error)
if [ -e "$build/node_modules/tsx" ] || [ -e "$build/node_modules/@remix-run/dev" ]; then
  echo "✖ dev dependencies survived the prune"; exit 1
fi

# --- runtime stage: only what it copies, owned by root, /data writable by the server --------
runtime="$work/runtime"
mkdir -p "$runtime" "$work/data"
cp -r "$build/package.json" "$build/package-lock.json" "$build/node_modules" "$build/build" "$build/public" "$runtime/"
chmod -R a+rX "$runtime"

as_server=()
if [ "$(id -u)" = "0" ]; then
  # The image runs as `node` (uid 1000); here the unprivileged uid is nobody's.
  chown 65534:65534 "$work/data"
  as_server=(setpriv --reuid=65534 --regid=65534 --clear-groups)
  if "${as_server[@]}" sh -c "touch '$runtime/build/written-by-server'" 2>/dev/null; then
    echo "✖ the unprivileged server user can write the application files"; exit 1
  fi
else
  echo "(not root: the server runs as $(id -un), the non-root switch is not exercised)"
fi

port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
step "start node build/index.js (NODE_ENV=production, as uid $( [ ${#as_server[@]} -gt 0 ] && echo 65534 || id -u ))"
(
  cd "$runtime"
  exec env -i PATH="$PATH" NODE_ENV=production MAIL_TRANSPORT=log-redacted HOST=127.0.0.1 PORT="$port" APP_URL="http://127.0.0.1:$port" \
    DATABASE_URL="$work/data/ferry.sqlite" APP_SECRET="$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')" \
    "${as_server[@]}" node build/index.js
) >"$work/server.log" 2>&1 &
server_pid=$!

healthy=""
for _ in $(seq 1 600); do
  if ! kill -0 "$server_pid" 2>/dev/null; then break; fi
  if curl -fsS --max-time 10 "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then healthy=1; break; fi
  sleep 0.2
done
if [ -z "$healthy" ]; then
  echo "✖ the pruned production build did not become healthy:"; cat "$work/server.log"; exit 1
fi
echo "/healthz: $(curl -fsS "http://127.0.0.1:$port/healthz")"
# The Dockerfile's HEALTHCHECK command, exactly as written there.
healthcheck=$(node -e "
  const text = require('fs').readFileSync('$repo/deploy/Dockerfile', 'utf8').replace(/\\\\\\n/g, ' ');
  const line = text.split('\n').find((l) => l.startsWith('HEALTHCHECK'));
  console.log(JSON.parse(line.slice(line.indexOf('CMD') + 3).trim()).at(-1));
")
(cd "$runtime" && PORT="$port" "${as_server[@]}" node -e "$healthcheck") && echo "HEALTHCHECK command: healthy"
if [ ! -s "$work/data/ferry.sqlite" ]; then echo "✖ no database in the data directory"; exit 1; fi
# `npm run build` wrote brotli/gzip copies of public/; the runtime files carry them and they are served.
encoding=$(curl -fsS -o /dev/null -D - -H 'Accept-Encoding: br' "http://127.0.0.1:$port/styles/app.css" | tr -d '\r' | awk -F': ' 'tolower($1)=="content-encoding"{print $2}')
if [ "$encoding" != "br" ]; then echo "✖ /styles/app.css was not served from its brotli copy (Content-Encoding: '${encoding}')"; exit 1; fi
echo "static files: precompressed copies served (Content-Encoding: br)"

# The metering proxy: the same runtime files, the other entry, on the database the portal migrated.
proxy_port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
step "start node build/proxy/index.js (the compose metering-proxy service's command)"
(
  cd "$runtime"
  exec env -i PATH="$PATH" NODE_ENV=production MAIL_TRANSPORT=log-redacted PROXY_HOST=127.0.0.1 PROXY_PORT="$proxy_port" PORT="$proxy_port" \
    APP_URL="http://127.0.0.1:$port" DATABASE_URL="$work/data/ferry.sqlite" APP_SECRET="$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')" \
    UPSTREAM_BASE_URL="http://127.0.0.1:9/v1" UPSTREAM_API_KEY="sk-verify" "${as_server[@]}" node build/proxy/index.js
) >"$work/proxy.log" 2>&1 &
proxy_pid=$!
proxy_healthy=""
for _ in $(seq 1 300); do
  if ! kill -0 "$proxy_pid" 2>/dev/null; then break; fi
  if curl -fsS --max-time 10 "http://127.0.0.1:$proxy_port/healthz" >/dev/null 2>&1; then proxy_healthy=1; break; fi
  sleep 0.2
done
if [ -z "$proxy_healthy" ]; then
  echo "✖ the metering proxy did not become healthy:"; cat "$work/proxy.log"; kill "$proxy_pid" 2>/dev/null || true; exit 1
fi
(cd "$runtime" && PORT="$proxy_port" "${as_server[@]}" node -e "$healthcheck") && echo "metering proxy: /healthz and the image's HEALTHCHECK (PORT=$proxy_port) healthy"
status=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$proxy_port/v1/models")
if [ "$status" != "401" ]; then echo "✖ /v1/models without a key answered $status, not 401"; kill "$proxy_pid" 2>/dev/null || true; exit 1; fi
echo "metering proxy: /v1/models without a key → 401"
kill -TERM "$proxy_pid"
wait "$proxy_pid" || true

kill -TERM "$server_pid"
wait "$server_pid" || true
server_pid=""
echo -e "\n✔ image steps verified (no Docker engine used: base images, apt-get and compose networking untested)"
