#!/usr/bin/env bash
# Search benchmark: index build time, index size, bytes a first query
# transfers (page + script + index files, from the server's log) and the
# per-query time in headless Chromium once the query's files are loaded.
# Usage: bench/search.sh [CORPUS_DIR]   (default ../shared/corpus/lawrefbook)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --release --example search_bench -- "${1:-../shared/corpus/lawrefbook}"
