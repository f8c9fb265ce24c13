# One image for the three services; the container's command picks the binary
# (api-service, sync-worker or webhook-service). See docker-compose.yml.
#
# The builder is rust:1 on Debian bookworm, like the runtime image: a binary
# linked against a newer glibc (rust:1 alone follows Debian's newest release)
# would not start on bookworm-slim.
FROM rust:1-bookworm AS builder
WORKDIR /src

# Dependencies first, against stub sources: this layer is rebuilt only when a
# manifest or Cargo.lock changes, not on every source edit.
COPY Cargo.toml Cargo.lock ./
COPY api-service/Cargo.toml api-service/
COPY sync-worker/Cargo.toml sync-worker/
COPY webhook-service/Cargo.toml webhook-service/
COPY shared-models/Cargo.toml shared-models/
COPY testkit/Cargo.toml testkit/
RUN for crate in api-service sync-worker webhook-service shared-models testkit; do \
        mkdir -p "$crate/src" && echo "" > "$crate/src/lib.rs"; \
    done \
    && for bin in api-service sync-worker webhook-service; do \
        echo "fn main() {}" > "$bin/src/main.rs"; \
    done \
    && cargo build --release --locked --workspace --bins \
    && rm -rf api-service sync-worker webhook-service shared-models testkit

# The real sources (the migrations are embedded into the binaries at build time).
COPY . .
# Newer timestamps than the stub build's, so cargo rebuilds our own crates.
RUN find api-service sync-worker webhook-service shared-models testkit -name '*.rs' -exec touch {} + \
    && cargo build --release --locked --workspace --bins \
    && mkdir -p /out \
    && cp target/release/api-service target/release/sync-worker target/release/webhook-service /out/

FROM debian:bookworm-slim AS runtime
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin catalog-sync
COPY --from=builder /out/ /usr/local/bin/
USER catalog-sync
WORKDIR /app
ENV RUST_LOG=info \
    BIND_ADDRESS=0.0.0.0
EXPOSE 8080 8081
CMD ["api-service"]
