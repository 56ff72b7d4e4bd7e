# Dockerfile -- krest's container image: a build stage on debian:bookworm, a runtime stage on
# debian:bookworm-slim holding build/krest, the shared libraries it links and nothing else.
#
#   docker build -t krest .
#   docker run -p 8082:8082 -p 8081:8081 -e KAFKA_REST_BOOTSTRAP_SERVERS=broker:9092 krest
#
# Configuration is Confluent's container environment, unchanged: krest itself reads
# KAFKA_REST_<KEY> (and KREST_<KEY>) variables; arguments after the image name are krest's own
# (a properties file, --key=value). tests/api/test_image.py keeps both apt-get lists in step
# with scripts/install-deps and with the libraries build/krest links, and lints this file.

FROM debian:bookworm AS build
# Exactly the build packages of scripts/install-deps. Not pinned to versions (DL3008), as
# install-deps: bookworm's archive keeps only the current version of each package, so a pin
# would break the build at the next security update.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        build-essential cmake pkg-config \
        libmicrohttpd-dev libjson-c-dev librdkafka-dev libcurl4-openssl-dev \
        libssl-dev zlib1g-dev libgoogle-perftools-dev libcrypt-dev \
        libgnutls28-dev libpcre2-dev \
        python3 python3-yaml \
        libisal-dev libdeflate-dev libzstd-dev libbrotli-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake -S . -B build -DCMAKE_BUILD_TYPE=Release \
    && cmake --build build -j "$(nproc)" --target krest \
    && install -D -s -m 0755 build/krest /out/krest

FROM debian:bookworm-slim
# The packages of the libraries build/krest links (libc6 is in the base image), then
# ca-certificates (TLS to Kafka or a registry) and curl (the HEALTHCHECK). Unpinned as above.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libmicrohttpd12 libjson-c5 librdkafka1 libcurl4 libtcmalloc-minimal4 libcrypt1 libssl3 \
        libgnutls30 libpcre2-8-0 libisal2 libdeflate0 libzstd1 libbrotli1 zlib1g \
        ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --no-log-init --uid 10001 --user-group --no-create-home \
        --home-dir /nonexistent --shell /usr/sbin/nologin krest
COPY --from=build /out/krest /usr/local/bin/krest
USER 10001:10001
# 8082: the REST API (listeners); 8081: the built-in Schema Registry
# (krest.schema.registry.listeners).
EXPOSE 8082 8081
# Liveness. Moving the REST listener off 8082 means setting this too.
ENV HEALTHCHECK_URL=http://127.0.0.1:8082/healthy
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
    CMD ["sh", "-c", "curl -fsS -o /dev/null \"$HEALTHCHECK_URL\" || exit 1"]
ENTRYPOINT ["/usr/local/bin/krest"]
