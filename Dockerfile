# syntax=docker/dockerfile:1
#
# coding-relay container image.
#
#   docker build --build-arg VERSION=$(git describe --tags --always) \
#     --build-arg REVISION=$(git rev-parse HEAD) \
#     --build-arg CREATED=$(date -u +%Y-%m-%dT%H:%M:%SZ) -t coding-relay .
#
# Multi-platform: docker buildx build --platform linux/amd64,linux/arm64 …
# (the builder cross-compiles; nothing runs under emulation).

ARG GO_VERSION=1.26.8

# ---- build ------------------------------------------------------------------
FROM --platform=$BUILDPLATFORM golang:${GO_VERSION}-bookworm AS build
WORKDIR /src

# Modules first, in a layer of their own: it is rebuilt only when go.mod or
# go.sum change, and, unlike a cache mount, it survives in a registry or CI
# layer cache (--cache-to/--cache-from).
COPY go.mod go.sum ./
RUN go mod download

COPY . .

ARG TARGETOS
ARG TARGETARCH
ARG VERSION=dev
# The compiler cache is a BuildKit cache mount: it speeds up local rebuilds
# and never lands in a layer.
RUN --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=${TARGETOS} GOARCH=${TARGETARCH} \
    go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" \
      -o /out/coding-relay ./cmd/coding-relay

# The data directory, to be copied with the nonroot owner: distroless has no
# shell to mkdir/chown in the final stage.
RUN mkdir -p /out/data

# ---- run ----------------------------------------------------------------------
# distroless/static: CA certificates, /etc/passwd with nonroot (65532),
# tzdata; no shell, no package manager.
FROM gcr.io/distroless/static-debian12:nonroot

ARG VERSION=dev
ARG REVISION=unknown
ARG CREATED
LABEL org.opencontainers.image.title="coding-relay" \
      org.opencontainers.image.description="Relays CODING webhooks to DingTalk and WeCom group robots" \
      org.opencontainers.image.source="https://github.com/coding-relay/coding-relay" \
      org.opencontainers.image.url="https://github.com/coding-relay/coding-relay" \
      org.opencontainers.image.documentation="https://github.com/coding-relay/coding-relay/blob/main/docs/deploy.md" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.licenses="MIT"

COPY --from=build /out/coding-relay /coding-relay
# A new named volume is initialised from the image's /data, so it starts
# owned by the relay's user too.
COPY --from=build --chown=65532:65532 /out/data /data

# The durable queue lives here; mount a volume to keep undelivered messages
# across container replacement.
ENV RELAY_DATA_DIR=/data
VOLUME ["/data"]

USER 65532:65532
EXPOSE 8080

# No shell in the image: the binary probes its own /healthz (on RELAY_ADDR).
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["/coding-relay", "healthcheck"]

ENTRYPOINT ["/coding-relay"]
