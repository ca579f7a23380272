# leakscan in a container: a static (musl) binary on Alpine, with git, run as an unprivileged
# user. For GitLab CI and other CI systems, and the pre-commit framework's `docker_image` hook.
#
#   docker build -t leakscan .                              # builds leakscan from this source
#   docker run --rm -v "$PWD:/src" leakscan scan .          # the mounted repository, history too
#
# The release workflow (.github/workflows/publish-image.yml) passes --build-arg BINARY=release
# with the release's own static binaries unpacked in dist/<arch>/leakscan, so that the image
# holds exactly what was released and attested, for every architecture, without an emulated
# build; it publishes ghcr.io/<owner>/leakscan:<version>.
ARG BINARY=build

FROM rust:1.89-alpine3.22 AS build
# hadolint ignore=DL3018
RUN apk add --no-cache musl-dev
WORKDIR /build
COPY . .
# musl targets link statically by default; the release profile strips debug info.
RUN cargo build --release --locked --bin leakscan \
 && cp target/release/leakscan /leakscan

FROM scratch AS release
ARG TARGETARCH
COPY dist/${TARGETARCH}/leakscan /leakscan

FROM ${BINARY} AS binary

FROM alpine:3.22
# git for scripts that prepare what is scanned (clone, fetch --unshallow); leakscan reads
# repositories itself. A mounted repository belongs to another user: let git read it anyway.
# hadolint ignore=DL3018
RUN apk add --no-cache git \
 && git config --system --add safe.directory '*' \
 && addgroup -S -g 10001 leakscan \
 && adduser -S -D -H -u 10001 -G leakscan leakscan
COPY --from=binary /leakscan /usr/local/bin/leakscan
# The image's binary runs, or the build fails.
RUN leakscan --version
USER 10001:10001
WORKDIR /src
ENTRYPOINT ["leakscan"]
CMD ["scan", "."]
