# syntax=docker/dockerfile:1
#
# The Portcullis gateway image: built from source in a Maven stage, run on distroless Java 17
# (no shell, no package manager) as a non-root user, with a read-only root filesystem.
#
#   docker build -t portcullis-gateway:dev .
#   docker run --read-only --tmpfs /tmp -v portcullis-data:/var/lib/portcullis \
#     -v $PWD/deploy/gateway.yaml:/etc/portcullis/gateway.yaml:ro -p 5000:5000 portcullis-gateway:dev
#
# Both base images are pinned by the digest of their multi-platform index, as published for these
# tags and pinned by other public projects; this machine has no Docker daemon to re-resolve them.
# Refresh both lines together with `docker buildx imagetools inspect IMAGE:TAG` (or Renovate).
# Nothing secret is built in: configuration, keys and credentials are mounted at run time.

FROM maven:3.9-eclipse-temurin-17@sha256:1ed5d1f54416b706707b4f3238f63a20bb06aab27c6d240090a2bb9ad895ed45 AS build
WORKDIR /src
COPY pom.xml ./
COPY trust-core trust-core
COPY testkit testkit
COPY signer-cli signer-cli
COPY gateway gateway
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B -q -pl gateway -am package -DskipTests -Dspotless.check.skip=true \
 && mkdir -p /out/data \
 && cp gateway/target/portcullis-gateway.jar /out/portcullis-gateway.jar

FROM gcr.io/distroless/java17-debian12:nonroot@sha256:06484c2a9dcc9070aeafbc0fe752cb9f73bc0cea5c311f6a516e9010061998ad
LABEL org.opencontainers.image.title="portcullis-gateway" \
      org.opencontainers.image.description="Supply-chain trust gateway: an OCI registry proxy" \
      org.opencontainers.image.licenses="Apache-2.0"
# The jar belongs to root and is read-only for the process.
COPY --from=build --chown=0:0 --chmod=0444 /out/portcullis-gateway.jar /app/portcullis-gateway.jar
# The data dir is owned by the runtime user so that a new named volume mounted there inherits it.
COPY --from=build --chown=65532:65532 /out/data /var/lib/portcullis
# Writable paths, and only these, are volumes: gateway state and the JVM's / Vert.x's temp files.
VOLUME ["/var/lib/portcullis", "/tmp"]
WORKDIR /var/lib/portcullis
# The data dir is the volume whatever the config file says (an environment override); set
# PORTCULLIS_DATADIR to another mounted volume to move it.
ENV PORTCULLIS_DATADIR=/var/lib/portcullis
USER 65532:65532
EXPOSE 5000 9095
# No curl in the image: the jar itself asks the admin listener's /readyz (PORTCULLIS_ADMIN_PORT,
# default 9095). A small heap and C1 only keep this short-lived JVM cheap.
HEALTHCHECK --interval=30s --timeout=10s --start-period=40s --retries=3 \
  CMD ["/usr/bin/java", "-Xmx32m", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData", "-jar", "/app/portcullis-gateway.jar", "healthcheck"]
ENTRYPOINT ["/usr/bin/java", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-XX:-UsePerfData", "-jar", "/app/portcullis-gateway.jar"]
CMD ["--config", "/etc/portcullis/gateway.yaml"]
