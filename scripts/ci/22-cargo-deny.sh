#!/usr/bin/env bash
# Supply chain: cargo-deny's licenses (permissive only), bans (wildcard versions denied,
# duplicate versions reported) and sources (crates.io only) checks over every dependency of the
# workspace, with deny.toml. Installs cargo-deny (crates.io, pinned) into
# $HOME/.cache/driftline/tools. The advisories check needs the RustSec database from GitHub,
# which these machines cannot reach; it is not run here (docs/SECURITY.md).
set -euo pipefail
cd "$(dirname "$0")/../.."
log() { printf '\033[1;36m[22-cargo-deny]\033[0m %s\n' "$*" >&2; }
TOOLS="$HOME/.cache/driftline/tools"
VERSION=0.20.2
if ! "$TOOLS/bin/cargo-deny" --version 2>/dev/null | grep -q " $VERSION$"; then
    log "installing cargo-deny $VERSION into $TOOLS"
    cargo install cargo-deny --locked --version "$VERSION" --root "$TOOLS"
fi
# The dependencies are in the local registry cache after the build stages; --offline keeps
# cargo-deny from trying the network for anything else.
cargo fetch --locked >/dev/null
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
if ! "$TOOLS/bin/cargo-deny" --offline check licenses bans sources >"$out" 2>&1; then
    cat "$out" >&2
    exit 1
fi
dups=$(grep -c '^warning\[duplicate\]' "$out" || true)
log "$(tail -n 1 "$out") ($dups crates in more than one version, reported in deny.toml's bans as warnings)"
