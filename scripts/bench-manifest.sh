#!/usr/bin/env bash
# Warm verified manifest pulls per second vs. the same gateway with the policy off; cold verification cost.
# Usage: scripts/bench-manifest.sh [seconds per round (default 5)] [client threads (default 8)]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q install -DskipTests
exec mvn -B -q -pl gateway exec:java -Dexec.classpathScope=test \
  -Dexec.mainClass=io.portcullis.gateway.it.ManifestThroughputBenchmark \
  -Dportcullis.projectRoot="$PWD" -Dexec.args="${1:-5} ${2:-8}"
