# One image for the three services; the container's command picks the binary
# (api-service, sync-worker or webhook-service). See docker-compose.yml.
# The Salesforce double compose runs has an image of its own.
#
# Stages: `planner` reduces the sources to what resolving and building the
# dependencies needs, `builder` builds the dependencies (a layer that is
# rebuilt only when a manifest or Cargo.lock changes) and then the workspace,
# `localstripe` is the Stripe emulator docker-compose.yml runs,
# `salesforce-double` the Salesforce double it runs, and `runtime`
# (the last stage, so the default target) is the small image that runs the
# services. Works with BuildKit and with the classic builder (Compose v1).
#
# The Rust stages use Debian bookworm, like the runtime image: a binary linked
# against a newer glibc (rust:1 alone follows Debian's newest release) would
# not start on bookworm-slim.

# --- planner: the manifests, Cargo.lock and stub target sources ---------------
FROM rust:1-bookworm AS planner
WORKDIR /src
COPY . .
# For every package: its Cargo.toml and an empty stub for each target source
# cargo needs to find to load the manifest (src/lib.rs, src/main.rs, build.rs,
# src/bin/*, any `path = "....rs"`, and tests/benches/examples when the
# manifest declares [[test]], [[bench]] or [[example]] targets). The result
# only changes when a manifest does, so the next stage's COPY stays cached
# across source edits. New workspace members are picked up by themselves.
RUN set -eu; \
    mkdir -p /skeleton; \
    for f in Cargo.lock rust-toolchain rust-toolchain.toml .cargo/config.toml .cargo/config; do \
        if [ -f "$f" ]; then cp --parents "$f" /skeleton/; fi; \
    done; \
    find . -name Cargo.toml -not -path './target/*' | while read -r manifest; do \
        dir="${manifest%/Cargo.toml}"; \
        mkdir -p "/skeleton/$dir"; \
        cp "$manifest" "/skeleton/$dir/"; \
        targets="src/lib.rs src/main.rs build.rs $(cd "$dir" && ls src/bin/*.rs src/bin/*/main.rs 2>/dev/null || true)"; \
        targets="$targets $(sed -n 's/^[[:space:]]*path[[:space:]]*=[[:space:]]*"\([^"]*\.rs\)".*/\1/p' "$manifest")"; \
        for kind in test:tests bench:benches example:examples; do \
            if grep -q "^\[\[${kind%%:*}\]\]" "$manifest"; then \
                targets="$targets $(cd "$dir" && ls "${kind#*:}"/*.rs "${kind#*:}"/*/main.rs 2>/dev/null || true)"; \
            fi; \
        done; \
        for target in $targets; do \
            if [ -f "$dir/$target" ]; then \
                mkdir -p "$(dirname "/skeleton/$dir/$target")"; \
                if [ "${target##*/}" = lib.rs ]; then : > "/skeleton/$dir/$target"; \
                else echo 'fn main() {}' > "/skeleton/$dir/$target"; fi; \
            fi; \
        done; \
    done

# --- builder: dependencies first (cached), then the workspace -------------------
FROM rust:1-bookworm AS builder
WORKDIR /src
# Smaller binaries; set before both builds, so the dependency layer matches.
# The benchmark suite (bench) is a developer tool and stays out of the image.
ENV CARGO_PROFILE_RELEASE_STRIP=symbols
COPY --from=planner /skeleton/ ./
RUN cargo build --release --locked --workspace --exclude bench --bins

# The real sources (the migrations are embedded into the binaries at build time).
COPY . .
# Newer timestamps than the stub build's, so cargo rebuilds our own crates;
# then every binary of the workspace goes to /out, but the test double
# (testkit's), which goes to /doubles: it has no place in the services' image.
RUN find . -path ./target -prune -o -name '*.rs' -exec touch {} + \
    && cargo build --release --locked --workspace --exclude bench --bins \
    && mkdir -p /out /doubles \
    && find target/release -maxdepth 1 -type f -perm -u+x -exec cp {} /out/ \; \
    && mv /out/salesforce-double /doubles/ \
    && ls /out/api-service /out/sync-worker /out/webhook-service

# --- localstripe: the Stripe emulator for docker-compose.yml ---------------------
# Installed at build time (pinned), so the stack starts without PyPI.
FROM python:3.11-slim-bookworm AS localstripe
RUN pip install --no-cache-dir --disable-pip-version-check localstripe==1.15.10 \
    && useradd --system --uid 10001 --create-home --shell /usr/sbin/nologin localstripe
USER localstripe
EXPOSE 8420
CMD ["localstripe", "--port", "8420", "--from-scratch"]

# --- salesforce-double: the Salesforce double for docker-compose.yml ------------
# The tests' in-memory org as a program, the services' Salesforce while no real
# org is configured. No TLS, no outside calls: nothing but the binary.
FROM debian:bookworm-slim AS salesforce-double
RUN useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin salesforce-double
COPY --from=builder /doubles/salesforce-double /usr/local/bin/
USER salesforce-double
ENV RUST_LOG=info
EXPOSE 8430
CMD ["salesforce-double", "--bind", "0.0.0.0"]

# --- runtime: the image of the three services (keep this stage last) ------------
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
