#!/usr/bin/env bash
# An offline walk-through of Portcullis. Run it after the build (mvn -B -q package -DskipTests):
# it starts a local docker-registry, builds two small images, signs one with portcullis-signer,
# starts the gateway with an enforcing trust policy, and pulls both through it with skopeo.
# Needs docker-registry, skopeo and umoci (scripts/test.sh installs them). Cleans up after itself.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
GATEWAY_JAR=$ROOT/gateway/target/portcullis-gateway.jar
SIGNER=$ROOT/signer-cli/bin/portcullis-signer

for tool in docker-registry skopeo umoci java; do
  command -v "$tool" >/dev/null || { echo "demo: $tool is missing (scripts/test.sh installs the test tools)"; exit 2; }
done
[ -f "$GATEWAY_JAR" ] || { echo "demo: build first: mvn -B -q package -DskipTests"; exit 2; }

WORK=$(mktemp -d -t portcullis-demo.XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  # Give each process ten seconds to stop on SIGTERM, then stop it for good.
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
free_port() {
  local p
  while :; do
    p=$(( (RANDOM % 20000) + 20000 ))
    (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null || { echo "$p"; return; }
  done
}
wait_http() {
  # up to 60 s: a loaded machine (the test suite runs in parallel) can take long to start a registry
  for _ in $(seq 1 600); do
    if (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "demo: nothing listens on port $1"; exit 1
}
SKOPEO=(skopeo --insecure-policy --tmpdir "$WORK")

step "1. Start a private registry (CNCF distribution) on loopback"
REG_PORT=$(free_port)
cat > "$WORK/registry.yml" <<YAML
version: 0.1
storage: {filesystem: {rootdirectory: $WORK/registry}}
http: {addr: 127.0.0.1:$REG_PORT}
YAML
docker-registry serve "$WORK/registry.yml" >"$WORK/registry.log" 2>&1 &
PIDS+=($!)
wait_http "$REG_PORT"
echo "registry at 127.0.0.1:$REG_PORT"

step "2. Build two small images with umoci and push them"
for name in signed unsigned; do
  umoci init --layout "$WORK/$name" >/dev/null
  umoci new --image "$WORK/$name:v1" >/dev/null
  mkdir -p "$WORK/files-$name/app"
  echo "hello from the $name image" > "$WORK/files-$name/app/hello.txt"
  umoci insert --image "$WORK/$name:v1" "$WORK/files-$name/app" /app >/dev/null
  umoci config --image "$WORK/$name:v1" --config.user 1000 >/dev/null
  "${SKOPEO[@]}" copy -q --dest-tls-verify=false "oci:$WORK/$name:v1" "docker://127.0.0.1:$REG_PORT/demo/$name:v1"
  echo "pushed demo/$name:v1"
done

step "3. A release engineer makes a key and signs one image (cosign format)"
printf 'demo-password\n' > "$WORK/password"
"$SIGNER" keygen --out "$WORK/release" --password-file "$WORK/password"
"$SIGNER" sign --key "$WORK/release.key" --password-file "$WORK/password" \
  --insecure-registry "127.0.0.1:$REG_PORT" "127.0.0.1:$REG_PORT/demo/signed:v1"

step "4. Write a trust policy: everything under demo/ must carry a release signature"
cp "$WORK/release.pub" "$WORK/release-key.pub"
cat > "$WORK/policy.yaml" <<YAML
version: 1
trustStores:
  release-keys: {type: cosign, keys: [release-key.pub]}
policies:
  - name: demo
    scopes: ["demo/**"]
    mode: enforce
    signatures: {anyOf: [{type: cosign, trustStore: release-keys}]}
YAML
"$SIGNER" policy lint "$WORK/policy.yaml"

step "5. Start the gateway in front of the registry, enforcing the policy"
GW_PORT=$(free_port)
cat > "$WORK/gateway.yaml" <<YAML
server: {host: 127.0.0.1, port: $GW_PORT}
dataDir: $WORK/gateway-data
policy: {file: $WORK/policy.yaml}
audit: {file: $WORK/audit.jsonl}
upstreams:
  - {name: private, url: "http://127.0.0.1:$REG_PORT", prefix: ""}
YAML
java -jar "$GATEWAY_JAR" --config "$WORK/gateway.yaml" >"$WORK/gateway.log" 2>&1 &
PIDS+=($!)
wait_http "$GW_PORT"
echo "gateway at 127.0.0.1:$GW_PORT"

step "6. Pull the signed image through the gateway: let in"
"${SKOPEO[@]}" copy -q --src-tls-verify=false "docker://127.0.0.1:$GW_PORT/demo/signed:v1" "dir:$WORK/pulled-signed"
echo "pulled demo/signed:v1 ($(ls "$WORK/pulled-signed" | wc -l) files)"

step "7. Pull the unsigned image through the gateway: refused"
if "${SKOPEO[@]}" copy -q --src-tls-verify=false "docker://127.0.0.1:$GW_PORT/demo/unsigned:v1" "dir:$WORK/pulled-unsigned" 2>"$WORK/refused.txt"; then
  echo "demo: the unsigned image was let in, which must not happen"; exit 1
fi
echo "skopeo said:"; sed 's/^/    /' "$WORK/refused.txt"

step "8. The audit log recorded both decisions"
sed 's/^/    /' "$WORK/audit.jsonl"

printf '\nDone: the signed image passed, the unsigned one was refused. Everything is cleaned up now.\n'
