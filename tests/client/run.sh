#!/usr/bin/env bash
# Generates a Python client from the committed openapi.yaml with a pinned openapi-python-client,
# installs it into a throwaway virtualenv and runs tests/client/flow.py with it against the built
# binary. Run by .ci/run after `cargo test` (which builds target/debug/pledgeboard):
#
#     bash tests/client/run.sh [target/debug/pledgeboard]
#
# The generator must read the contract without a warning: a warning means part of the contract
# would be missing from a generated client. One is expected and allowed: the generator does not
# take `text/csv` request bodies, so it leaves out `POST /imports`, whose body is a CSV file
# (clients upload it as bytes; tests/api/imports.rs drives it).
set -euo pipefail
cd "$(dirname "$0")/../.."

GENERATOR_VERSION="0.29.1"
# The generated package is built with setuptools' own bdist_wheel (setuptools 70.1 and later).
SETUPTOOLS_VERSION="80.9.0"
BINARY="$(realpath "${1:-target/debug/pledgeboard}")"
[ -x "$BINARY" ] || { echo "no binary at $BINARY: run cargo build first" >&2; exit 1; }

WORK="$(mktemp -d -t pledgeboard-client.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT

python3 -m venv "$WORK/venv"
PY="$WORK/venv/bin/python"
"$PY" -m pip install -q --disable-pip-version-check \
    "openapi-python-client==$GENERATOR_VERSION" "setuptools==$SETUPTOOLS_VERSION"

# Responses in formats the generator does not model (the YAML contract itself, NDJSON exports)
# are read as text; no post-generation formatter is run.
cat >"$WORK/config.yaml" <<'EOF'
post_hooks: []
content_type_overrides:
  application/yaml: text/plain
  application/x-ndjson: text/plain
EOF
"$WORK/venv/bin/openapi-python-client" generate --path openapi.yaml --config "$WORK/config.yaml" \
    --meta setup --output-path "$WORK/client" 2>&1 | tee "$WORK/generate.log"
# The one expected warning, as the generator words it: its header, the endpoint it leaves
# out, and the reason.
grep -v -e "^Warning(s) encountered while generating" \
    -e "^WARNING parsing POST /api/v1/imports within imports" \
    -e "^Unsupported content type text/csv" \
    -e "If you believe this was a mistake" \
    "$WORK/generate.log" > "$WORK/unexpected.log" || true
if grep -qi "warning\|error" "$WORK/unexpected.log"; then
    echo "openapi-python-client did not read openapi.yaml cleanly (see above)" >&2
    exit 1
fi
"$PY" -m pip install -q --disable-pip-version-check --no-index --no-build-isolation "$WORK/client"

"$PY" tests/client/flow.py "$BINARY"
