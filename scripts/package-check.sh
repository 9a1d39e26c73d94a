#!/usr/bin/env bash
# Packs every package of the pack into a folder feed and proves the packages from outside the solution:
#   1. each package packs with its symbols, readme, licence and XML docs;
#   2. tests/PackageConsumer/Training (no ProjectReference) restores them by version, tunes a network with Hyperband,
#      saves the model and checks every trial and the metric; it gets the unpatched TorchSharp natives, so it also
#      proves the managed native fix;
#   3. tests/PackageConsumer/Scoring (the scoring package only) loads the model in another process and predicts the
#      same values; its published size is compared with the same app scoring a FastTree model (at most 1.2x);
#   4. `dotnet tool install --tool-path` installs mlnet-tune from the feed and runs `tune` on samples/data/loans.csv.
# Consumers restore into an isolated NUGET_PACKAGES (out/package-check/packages), so a repacked version is never served
# from a stale cache; third-party packages come from the usual cache as a read-only fallback folder.
# Prints one "check NAME: ok|FAILED (...)" line a check and closes with "package checks: N passed, N failed";
# exits 1 when a check failed.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
out="$root/out/package-check"
feed="$out/feed"
user_cache="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
version=$(sed -n 's|.*<MLNetTuningVersion>\(.*\)</MLNetTuningVersion>.*|\1|p' Directory.Build.props | head -n 1)
passed=0; failed=0
check() { # NAME OK(0/1) DETAIL
  if [ "$2" -eq 0 ]; then echo "check $1: ok ($3)"; passed=$((passed + 1)); else echo "check $1: FAILED ($3)"; failed=$((failed + 1)); fi
}
count_lines() { # LOG: adds the consumer's own check lines to the totals
  passed=$((passed + $(grep -c '^check .*: ok' "$1"))); failed=$((failed + $(grep -c '^check .*: FAILED' "$1")))
}
finish() { echo "package checks: ${passed} passed, ${failed} failed"; [ "$failed" -eq 0 ]; exit $?; }

rm -rf "$out"; mkdir -p "$feed" "$out/packages"
if ls -d "$user_cache"/mlnettuning* >/dev/null 2>&1; then
  check no-stale-cache 1 "$user_cache holds MLNetTuning packages, which would be served instead of the feed's: delete $user_cache/mlnettuning*"
  finish
fi
cat > "$out/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <config><add key="globalPackagesFolder" value="$out/packages" /></config>
  <packageSources>
    <clear />
    <add key="local-feed" value="$feed" />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
  </packageSources>
  <packageSourceMapping>
    <packageSource key="local-feed"><package pattern="MLNetTuning*" /></packageSource>
    <packageSource key="nuget.org"><package pattern="*" /></packageSource>
  </packageSourceMapping>
  <fallbackPackageFolders><clear /><add key="user-cache" value="$user_cache" /></fallbackPackageFolders>
</configuration>
XML
export NUGET_PACKAGES="$out/packages"

# 1. Pack.
for project in src/*/*.csproj; do
  name=$(basename "$project" .csproj); [ "$name" = MLNetTuning.Cli ] && id=MLNetTuning.Cli || id=$name
  if dotnet pack "$project" -c Release -o "$feed" -p:ContinuousIntegrationBuild=true > "$out/pack-$name.log" 2>&1; then
    nupkg="$feed/$id.$version.nupkg"
    listing=$(unzip -l "$nupkg" 2>/dev/null)
    missing=""
    for entry in README.md LICENSE; do grep -q " $entry\$" <<<"$listing" || missing="$missing $entry"; done
    [ "$id" = MLNetTuning.Cli ] || grep -q "lib/net10.0/$name.xml" <<<"$listing" || missing="$missing xml-docs"
    [ -f "$feed/$id.$version.snupkg" ] || missing="$missing snupkg"
    # The notebook extension loads itself by the .NET Interactive convention (docs/notebooks.md).
    [ "$id" != MLNetTuning.Interactive ] || grep -q " interactive-extensions/dotnet/extension.dib\$" <<<"$listing" || missing="$missing interactive-extensions/dotnet/extension.dib"
    check "packed-$id" "$([ -z "$missing" ] && echo 0 || echo 1)" "$id.$version.nupkg$([ -n "$missing" ] && echo ", missing:$missing")"
  else
    check "packed-$id" 1 "dotnet pack failed, see $out/pack-$name.log"; tail -n 20 "$out/pack-$name.log"
  fi
done
ls -la "$feed"

# 2. A user's app that tunes a network from the packages.
run="$out/run"
training=tests/PackageConsumer/Training
rm -rf "$training/bin" "$training/obj"
if dotnet restore "$training" --configfile "$out/nuget.config" -p:MLNetTuningVersion="$version" > "$out/training-build.log" 2>&1 \
   && dotnet build "$training" -c Release --no-restore -p:MLNetTuningVersion="$version" >> "$out/training-build.log" 2>&1; then
  dotnet "$training/bin/Release/net10.0/PackageConsumer.Training.dll" "$run" > "$out/training-run.log" 2>&1
  status=$?
  cat "$out/training-run.log"; count_lines "$out/training-run.log"
  check training-consumer-exit "$status" "exit code $status"
  ! grep -q "LoadNativeBackend\|Trying to load native component" "$out/training-run.log"
  check no-torch-trace-on-stdout $? "TorchSharp's loader trace absent from the app's output"
else
  check training-consumer-builds 1 "see $out/training-build.log"; tail -n 30 "$out/training-build.log"
fi

# 3. A scoring-only app (no TorchSharp) and the same app scoring FastTree, published to compare sizes.
scoring=tests/PackageConsumer/Scoring
rm -rf "$scoring/bin" "$scoring/obj"
if dotnet restore "$scoring" --configfile "$out/nuget.config" -p:MLNetTuningVersion="$version" > "$out/scoring-build.log" 2>&1 \
   && dotnet publish "$scoring" -c Release --no-restore -p:MLNetTuningVersion="$version" -o "$out/publish-network" >> "$out/scoring-build.log" 2>&1; then
  dotnet "$out/publish-network/PackageConsumer.Scoring.dll" "$run" > "$out/scoring-run.log" 2>&1
  status=$?
  cat "$out/scoring-run.log"; count_lines "$out/scoring-run.log"
  check scoring-consumer-exit "$status" "exit code $status"
  rm -rf "$scoring/obj"
  if dotnet restore "$scoring" --configfile "$out/nuget.config" -p:ScoringBackend=FastTree > "$out/fasttree-build.log" 2>&1 \
     && dotnet publish "$scoring" -c Release --no-restore -p:ScoringBackend=FastTree -o "$out/publish-fasttree" >> "$out/fasttree-build.log" 2>&1 \
     && dotnet "$out/publish-fasttree/PackageConsumer.Scoring.dll" "$run" >> "$out/fasttree-build.log" 2>&1; then
    network=$(du -sb "$out/publish-network" | cut -f1); fasttree=$(du -sb "$out/publish-fasttree" | cut -f1)
    ratio=$(awk -v a="$network" -v b="$fasttree" 'BEGIN { printf "%.3f", a / b }')
    awk -v r="$ratio" 'BEGIN { exit !(r <= 1.2) }'
    check scoring-size-within-1.2x-fasttree $? "scoring app $network bytes, FastTree app $fasttree bytes, ratio $ratio"
  else
    check fasttree-yardstick-runs 1 "see $out/fasttree-build.log"; tail -n 30 "$out/fasttree-build.log"
  fi
  rm -rf "$scoring/obj"
else
  check scoring-consumer-builds 1 "see $out/scoring-build.log"; tail -n 30 "$out/scoring-build.log"
fi

# 4. The dotnet tool from the feed.
if dotnet tool install MLNetTuning.Cli --version "$version" --tool-path "$out/tool" --configfile "$out/nuget.config" > "$out/tool-install.log" 2>&1; then
  check tool-installs 0 "$(tail -n 1 "$out/tool-install.log")"
  "$out/tool/mlnet-tune" tune --data samples/data/loans.csv --label approved --task binary --trials 4 --output "$out/tool-run" > "$out/tool-run.log" 2>&1
  status=$?
  tail -n 15 "$out/tool-run.log"
  [ "$status" -eq 0 ] && [ -f "$out/tool-run/best-model.zip" ]
  check tool-tunes-loans $? "exit code $status, best-model.zip $([ -f "$out/tool-run/best-model.zip" ] && echo written || echo missing)"
else
  check tool-installs 1 "see $out/tool-install.log"; tail -n 20 "$out/tool-install.log"
fi
finish
