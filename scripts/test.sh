#!/usr/bin/env bash
# Runs every test of Portcullis. The integration tests drive real components: Debian's
# docker-registry (CNCF distribution) as upstream, skopeo and podman as clients, umoci to build
# images; ComposeStackIT also needs iproute2 and curl; the shared-state tests PostgreSQL and HAProxy;
# the Docker Content Trust tests notary.
# They are installed here when missing (apt-get, as root or through sudo).
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v docker-registry >/dev/null 2>&1 || missing+=(docker-registry)
command -v skopeo >/dev/null 2>&1 || missing+=(skopeo)
command -v umoci >/dev/null 2>&1 || missing+=(umoci)
# PodmanIT: podman as root with the vfs storage driver, so neither uidmap (rootless) nor
# fuse-overlayfs is needed; unshare and mount (util-linux, mount) are always there on Debian.
command -v podman >/dev/null 2>&1 || missing+=(podman)
# ComposeStackIT runs the compose services in namespaces: ip (iproute2), curl
command -v ip >/dev/null 2>&1 || missing+=(iproute2)
command -v curl >/dev/null 2>&1 || missing+=(curl)
# the replicas' shared state (issue #15): Debian's PostgreSQL (15 on Debian 12) started by the tests themselves (testkit
# PostgresProcess, under setpriv as the postgres user the package creates), HAProxy in front
compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null || missing+=(postgresql)
command -v haproxy >/dev/null 2>&1 || missing+=(haproxy)
# Docker Content Trust (issue #16): Debian's notary package, notary-server and the notary client,
# started and driven by the tests (testkit NotaryProcess, NotaryClient)
command -v notary-server >/dev/null 2>&1 || missing+=(notary)
# the cache's page-in tests read what the kernel holds of a file with fincore (util-linux)
command -v fincore >/dev/null 2>&1 || missing+=(util-linux-extra)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing test components: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

exec mvn -B verify "$@"
