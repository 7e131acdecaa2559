#!/usr/bin/env bash
# The pull-through cache vs. CNCF distribution's pull-through mode, in one run: upstream bytes for
# 8 concurrent cold clients, and warm blob throughput.
# Usage: scripts/bench-cache.sh [size-in-MiB (default 256)] [rounds (default 3)]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q install -DskipTests
exec mvn -B -q -pl gateway exec:java -Dexec.classpathScope=test \
  -Dexec.mainClass=io.portcullis.gateway.it.CacheBenchmark \
  -Dportcullis.projectRoot="$PWD" -Dexec.args="${1:-256} ${2:-3}"
