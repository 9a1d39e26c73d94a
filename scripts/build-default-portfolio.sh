#!/usr/bin/env bash
# Rebuilds the default portfolios shipped in the MLNetTuning package (src/MLNetTuning/Portfolios/Default/*.json,
# read by PortfolioFile.LoadDefault and `mlnet-tune tune --portfolio default`).
#
# Data: only what this project generates (scripts/portfolio_data.py, samples/data/loans.csv) and the public data
# sets in ../shared/data, read in place. Each data set gets one short `tune` study (every preset trainer of its
# task, the auto tuner, seed 1, TRIALS trials) in one SQLite store, out/default-portfolio/studies.db; then
# `portfolio build` writes the portfolio of each task from that store.
# docs/retuning.md describes the result.
#
# Usage: scripts/build-default-portfolio.sh        (TRIALS=20 by default; TRIALS=8 for a quick try)
set -euo pipefail
cd "$(dirname "$0")/.."

TRIALS="${TRIALS:-20}"
PER_TRAINER="${PER_TRAINER:-3}"
OUT=out/default-portfolio
# ../shared/data from the checkout, or from a folder above it (as the tests' SharedData finds it for a worktree).
SHARED=../shared/data
for up in ../.. ../../..; do [[ -d "$SHARED" ]] || SHARED="$up/shared/data"; done
SHIPPED=src/MLNetTuning/Portfolios/Default

for file in breast-cancer.txt housing.txt iris.txt; do
  [[ -f "$SHARED/$file" ]] || { echo "$SHARED/$file is missing: the shared data sets must sit beside the checkout." >&2; exit 1; }
done

rm -rf "$OUT"
mkdir -p "$OUT/data"
dotnet build src/MLNetTuning.Cli -c Release -v q -nologo
cli() { dotnet src/MLNetTuning.Cli/bin/Release/net10.0/mlnet-tune.dll "$@"; }

python3 scripts/portfolio_data.py "$OUT/data"

# breast-cancer.txt has no header and starts with '//' comment lines, and iris.txt's header starts with '#', which
# ML.NET's reader takes for a comment: their studies read a headed view of the file, deleted as soon as the study
# ends (never part of the project).
BREAST="$OUT/data/breast-cancer-view.tsv"
{ printf 'Label\tClumpThickness\tCellSize\tCellShape\tAdhesion\tEpithelialSize\tBareNuclei\tChromatin\tNucleoli\tMitoses\n'
  grep -v -e '^//' -e '^[[:space:]]*$' "$SHARED/breast-cancer.txt"; } > "$BREAST"
IRIS="$OUT/data/iris-view.tsv"
sed '1s/^#//' "$SHARED/iris.txt" > "$IRIS"

study() { # NAME TASK DATA LABEL
  echo "== $1 ($2): $3"
  cli tune --study "$1" --task "$2" --data "$3" --label "$4" --trials "$TRIALS" --seed 1 --test-fraction 0 \
    --storage "$OUT/studies.db" --output "$OUT/runs/$1" > "$OUT/$1.log"
  tail -n 3 "$OUT/$1.log"
}

# The tasks take turns, so that every task has studies early in the run.
study iris                 multiclass "$IRIS"                                   Label
rm -f "$IRIS"
study housing              regression "$SHARED/housing.txt"                     MedianHomeValue
study breast-cancer        binary     "$BREAST"                                 Label
rm -f "$BREAST"
study gen-multiclass-blobs multiclass "$OUT/data/gen-multiclass-blobs.csv"      label
study gen-regression-friedman regression "$OUT/data/gen-regression-friedman.csv" label
study gen-binary-linear    binary     "$OUT/data/gen-binary-linear.csv"         label
study gen-multiclass-thresholds multiclass "$OUT/data/gen-multiclass-thresholds.csv" label
study gen-regression-steps regression "$OUT/data/gen-regression-steps.csv"      label
study gen-binary-radial    binary     "$OUT/data/gen-binary-radial.csv"         label
study loans                binary     samples/data/loans.csv                    approved
# wikipedia-detox-250-line-data.tsv is left out: its line 83 has 2 fields where the header has 3, which the CLI refuses.

for task in binary multiclass regression; do
  cli portfolio build --storage "$OUT/studies.db" --task "$task" --per-trainer "$PER_TRAINER" --out "$SHIPPED/$task.json"
done
echo "Rebuild the core (dotnet build src/MLNetTuning -c Release) to embed the new portfolios; review with: git diff $SHIPPED"
