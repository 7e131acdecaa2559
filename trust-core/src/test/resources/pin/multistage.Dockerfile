# syntax=docker/dockerfile:1
ARG GO_VERSION=1.22
ARG BASE=alpine:3.20

# build stage: FROM golang:1.22 in a comment stays as it is
FROM --platform=$BUILDPLATFORM golang:1.22 AS build
WORKDIR /src
RUN <<EOT
echo "a here-document line that looks like an instruction:"
FROM busybox:1.36
EOT
RUN go build -o /app .

FROM golang:${GO_VERSION} AS tools
FROM ${BASE} AS from-arg

from build as test
RUN go test ./...

FROM scratch AS empty

FROM --platform=linux/amd64 \
    # a comment inside a continuation
    alpine   AS final
COPY --from=build /app /app

FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa AS already-pinned
FROM registry.example.com:5000/team/app:1.4
