#!/usr/bin/env bash
# Blob throughput through the gateway vs. directly from docker-registry, in one run.
# Usage: scripts/bench-blob.sh [size-in-MiB (default 1024)] [rounds (default 3)]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q install -DskipTests
exec mvn -B -q -pl gateway exec:java -Dexec.classpathScope=test \
  -Dexec.mainClass=io.portcullis.gateway.it.BlobThroughputBenchmark \
  -Dportcullis.projectRoot="$PWD" -Dexec.args="${1:-1024} ${2:-3}"
