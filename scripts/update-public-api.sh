#!/usr/bin/env bash
# Rewrites the public API baselines (tests/MLNetTuning.Tests/Compatibility/PublicApi/*.txt) from the current build.
# Review and commit their diff: it is the list of public API changes (docs/versioning.md).
set -euo pipefail
cd "$(dirname "$0")/.."
MLNETTUNING_UPDATE_PUBLIC_API=1 dotnet test tests/MLNetTuning.Tests -c Release --filter "FullyQualifiedName~Compatibility.PublicApiTests.ThePublicSurfaceMatchesItsBaseline" "$@"
git status --short tests/MLNetTuning.Tests/Compatibility/PublicApi
