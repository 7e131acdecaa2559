#!/usr/bin/env bash
# Makes what docker-compose.yml mounts, once, before `docker compose up`: the dev PKI (TLS) in
# certs-dev/out and the secret files in deploy/secrets, readable by the container users and nobody
# else. Existing files are kept; delete one to make it anew (a new token key logs everyone out).
#
#   scripts/compose-prepare.sh [--dir DIR]      (DIR: where docker-compose.yml is; default: here)
#
# Needs the built jars (mvn -B package -DskipTests). No password ever appears in a command line:
# each is generated from /dev/urandom and piped to `portcullis-gateway htpasswd`.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
dir="$repo"
if [ "${1:-}" = "--dir" ] && [ -n "${2:-}" ]; then
  dir="$(cd "$2" && pwd)"
elif [ $# -gt 0 ]; then
  echo "usage: $0 [--dir DIR]" >&2
  exit 2
fi

gateway_jar="$repo/gateway/target/portcullis-gateway.jar"
signer="$repo/signer-cli/bin/portcullis-signer"
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
for jar in "$gateway_jar" "$repo/signer-cli/target/portcullis-signer.jar"; do
  if [ ! -f "$jar" ]; then
    echo "compose-prepare: $jar not found; build first: mvn -B package -DskipTests" >&2
    exit 2
  fi
done
gateway() { "$java" -jar "$gateway_jar" "$@"; }

# The container users of docker-compose.yml: the gateway image's nonroot user, the registry's, and
# in the fleet profile PostgreSQL's (postgres:*-alpine) and HAProxy's (haproxy:*-alpine).
gateway_uid=65532
registry_uid=1000
postgres_uid=70
haproxy_uid=99

certs="$dir/certs-dev/out"
secrets="$dir/deploy/secrets"
umask 077
mkdir -p "$secrets"

random_password() { head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n'; }

if [ ! -f "$certs/tls.crt" ]; then
  echo "== dev PKI (TLS for localhost) -> $certs"
  "$signer" certs dev --out "$certs"
fi

if [ ! -f "$secrets/upstream-credentials" ]; then
  echo "== the gateway's login at the private registry -> upstream-credentials, registry-htpasswd"
  printf 'gateway:%s\n' "$(random_password)" > "$secrets/upstream-credentials"
  rm -f "$secrets/registry-htpasswd"
fi
if [ ! -f "$secrets/registry-htpasswd" ]; then
  cut -d: -f2- "$secrets/upstream-credentials" | gateway htpasswd gateway > "$secrets/registry-htpasswd"
fi

if [ ! -f "$secrets/gateway-htpasswd" ]; then
  echo "== the gateway's own user 'ci' -> gateway-htpasswd (password kept for you in ci-password)"
  random_password > "$secrets/ci-password"
  gateway htpasswd --password-file "$secrets/ci-password" ci > "$secrets/gateway-htpasswd"
fi

if [ ! -f "$secrets/token-key.pem" ]; then
  echo "== ES256 token signing key -> token-key.pem, kid: $(gateway token-key "$secrets/token-key.pem")"
fi

if [ ! -f "$secrets/db-password" ]; then
  echo "== the fleet's PostgreSQL password -> db-password (replicas), postgres-password (PostgreSQL)"
  random_password > "$secrets/db-password"
  rm -f "$secrets/postgres-password"
fi
# A secret file is handed to one container user, so each user that reads it gets its own copy.
if [ ! -f "$secrets/postgres-password" ]; then
  cp "$secrets/db-password" "$secrets/postgres-password"
fi
if [ ! -f "$secrets/haproxy-tls.key" ] || [ "$certs/tls.key" -nt "$secrets/haproxy-tls.key" ]; then
  cp "$certs/tls.key" "$secrets/haproxy-tls.key"
fi

# Compose bind-mounts a secret file with its owner and mode, so the container user must be able to
# read it: hand it over (as root), or grant read with an ACL; never make it world-readable.
grant() {
  local uid=$1
  shift
  if [ "$(id -u)" -eq 0 ]; then
    chown "$uid" "$@"
    chmod 0400 "$@"
  elif command -v setfacl >/dev/null 2>&1; then
    setfacl -m "u:$uid:r" "$@"
  else
    echo "compose-prepare: run as root, or install setfacl (package acl), so uid $uid can read: $*" >&2
    exit 1
  fi
}
grant "$gateway_uid" "$secrets/upstream-credentials" "$secrets/gateway-htpasswd" \
  "$secrets/token-key.pem" "$certs/tls.key"
grant "$registry_uid" "$secrets/registry-htpasswd"
grant "$gateway_uid" "$secrets/db-password"
grant "$postgres_uid" "$secrets/postgres-password"
grant "$haproxy_uid" "$secrets/haproxy-tls.key"
chmod 0644 "$certs/tls.crt" "$certs/root.crt"

cat <<DONE
== ready. Next:
  docker compose run --rm --no-deps --user 0 --cap-add CHOWN --entrypoint chown registry $registry_uid:$registry_uid /var/lib/registry   # once: the new registry volume
  docker compose up -d --build
  or the fleet (two replicas, PostgreSQL, HAProxy on 5001): docker compose --profile fleet up -d --build
  clients trust $certs/root.crt; user ci, password in $secrets/ci-password
DONE
