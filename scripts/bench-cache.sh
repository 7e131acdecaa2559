#!/usr/bin/env bash
# Issue #14's benchmark, one command: starts an origin docker-registry, CNCF distribution in
# pull-through mode (docker-registry with proxy.remoteurl) and the gateway jar (-Xms128m -Xmx128m, heap touched at start) in front of
# it, warms the gateway's JVM on other blobs of the measured size, then prints, same run, median of the rounds: cold blob
# MiB/s and time to first byte (gateway vs distribution's proxy), warm blob MiB/s (gateway vs origin),
# 16-client aggregate MiB/s over 16 cached blobs (gateway vs origin), origin GETs for 16 cold clients
# of one blob, cached manifest req/s by tag and by digest (gateway vs distribution's proxy), CPU
# seconds of each gateway event loop under those loads, and the gateway's RSS growth while 8 slow
# clients (1 MiB/s each) stream one cold blob; then a summary of ratios beside issue #14's goals.
# Needs docker-registry, skopeo, curl and jcmd on the PATH; Linux (/proc).
# Usage: scripts/bench-cache.sh [blob MiB (default 512)] [rounds (default 3)]
#          [seconds per manifest round (default 5)] [slow-client blob MiB (default 1024)]
#          [MiB of each of the 16 clients' blobs (default 64)]
# The slow-client part takes (its blob MiB) seconds: 1024 MiB at 1 MiB/s is about 17 minutes.
#
# scripts/bench-cache.sh cpu [blob MiB (default 512)] [rounds (default 3)] [jfr]
#   prints the CPU seconds (user + system) the gateway's process spends per GiB of cold blob,
#   beside distribution's proxy's in the same run (ColdCpuBenchmark): a figure the other work on
#   a shared machine does not move as it moves MiB/s. With jfr, the top frames of a JFR profile
#   of the gateway's cold rounds. PORTCULLIS_BENCH_JVM_ARGS adds gateway JVM options,
#   PORTCULLIS_BENCH_YAML top-level config (e.g. 'cache: {directWrites: false}').
#   Builds with package, not install: nothing lands in the local Maven repository.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ "${1:-}" == cpu ]]; then
  shift
  mvn -B -q -pl gateway -am package -DskipTests dependency:build-classpath \
    -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=test
  exec java -cp "gateway/target/test-classes:gateway/target/classes:$(cat gateway/target/classpath.txt)" \
    -Dportcullis.projectRoot="$PWD" \
    -Dportcullis.bench.jvmArgs="${PORTCULLIS_BENCH_JVM_ARGS:-}" \
    -Dportcullis.bench.yaml="${PORTCULLIS_BENCH_YAML:-}" \
    io.portcullis.gateway.it.ColdCpuBenchmark "$@"
fi
mvn -B -q install -DskipTests
exec mvn -B -q -pl gateway exec:java -Dexec.classpathScope=test \
  -Dexec.mainClass=io.portcullis.gateway.it.CacheBenchmark \
  -Dportcullis.projectRoot="$PWD" \
  -Dexec.args="${1:-512} ${2:-3} ${3:-5} ${4:-1024} ${5:-64}"
