#!/usr/bin/env bash
# The crate's import graph: layers and circles between src/'s top modules and inside
# each (scripts/deps.mjs; exits 1 on a circle). `--models` also lists the files outside
# the kinds, the registry and the families' own folders that name a specific model.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec node scripts/deps.mjs "$@"
