#!/usr/bin/env bash
# Build the no_std probe and run it; its exit code (0 = raster as computed by
# hand, 1 = mismatch) is this script's exit code.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --manifest-path probe/Cargo.toml
exec ./probe/target/release/neurochip-probe
