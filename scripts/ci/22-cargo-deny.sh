#!/usr/bin/env bash
# Supply chain: cargo-deny's advisories (RustSec: vulnerabilities, unmaintained, yanked),
# licenses (permissive only), bans (wildcard versions denied, duplicate versions reported) and
# sources (crates.io only) checks over every dependency of the workspace, with deny.toml.
# Installs cargo-deny (crates.io, pinned) into $HOME/.cache/driftline/tools. GitHub, where the
# RustSec database lives, is unreachable here: the advisories are checked against the vendored
# snapshot in scripts/ci/advisory-db/ (its README says which and how to refresh it).
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

# The snapshot as the git repository cargo-deny expects at deny.toml's db-path (the directory
# name is cargo-deny's for the default db-url), committed at the snapshot's date so that its
# age is the database's.
SNAPSHOT_COMMIT=bf5c0d245a92671908518d7e765914d437954ed6
SNAPSHOT_DATE=2026-08-21T00:00:00Z
ARCHIVE=scripts/ci/advisory-db/rustsec-advisory-db.tar.gz
DB="$HOME/.cache/driftline/advisory-dbs/advisory-db-3157b0e258782691"
STAMP="$SNAPSHOT_COMMIT $(sha256sum "$ARCHIVE" | cut -d' ' -f1)"
if [[ "$(cat "$DB/.driftline-snapshot" 2>/dev/null)" != "$STAMP" ]]; then
    log "unpacking the RustSec advisory database snapshot ${SNAPSHOT_COMMIT:0:12} ($SNAPSHOT_DATE)"
    rm -rf "$DB"
    mkdir -p "$DB"
    tar -xzf "$ARCHIVE" -C "$DB"
    git -C "$DB" init -q
    git -C "$DB" add -A
    GIT_AUTHOR_DATE=$SNAPSHOT_DATE GIT_COMMITTER_DATE=$SNAPSHOT_DATE \
        git -C "$DB" -c user.name=driftline -c user.email=ci@localhost \
        commit -q -m "rustsec/advisory-db $SNAPSHOT_COMMIT"
    echo "$STAMP" >"$DB/.driftline-snapshot"
fi
advisories=$(find "$DB/crates" -name 'RUSTSEC-*.md' | wc -l)
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
if ! "$TOOLS/bin/cargo-deny" --offline check advisories licenses bans sources >"$out" 2>&1; then
    cat "$out" >&2
    exit 1
fi
dups=$(grep -c '^warning\[duplicate\]' "$out" || true)
log "$(tail -n 1 "$out") ($advisories RustSec advisories of ${SNAPSHOT_DATE%%T*}; $dups crates in more than one version, reported in deny.toml's bans as warnings)"
