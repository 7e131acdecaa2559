#!/usr/bin/env bash
# The pull-through cache vs. CNCF distribution's pull-through mode (docker-registry with
# proxy.remoteurl), both in front of one origin docker-registry, in one run: cold and warm blob
# throughput (warm against the origin served directly), origin bytes for 8 concurrent cold pulls of
# one image, and cached manifest requests per second with p99.
# Usage: scripts/bench-cache.sh [blob size in MiB (default 1024)] [rounds (default 3)] [seconds per manifest round (default 5)]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q install -DskipTests
exec mvn -B -q -pl gateway exec:java -Dexec.classpathScope=test \
  -Dexec.mainClass=io.portcullis.gateway.it.CacheBenchmark \
  -Dportcullis.projectRoot="$PWD" -Dexec.args="${1:-1024} ${2:-3} ${3:-5}"
