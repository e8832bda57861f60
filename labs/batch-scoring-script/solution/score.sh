#!/usr/bin/env bash
# Scores every CSV file in <input-dir> with the scoring CLI and writes <name>.scores.csv files
# to <output-dir>. Exit codes: 0 success, 1 scoring failed, 2 wrong usage, 3 input dir missing.
set -euo pipefail

usage() {
  echo "usage: $(basename "$0") <input-dir> <output-dir>" >&2
}

if [[ $# -ne 2 ]]; then
  usage
  exit 2
fi

input_dir=$1
output_dir=$2

if [[ ! -d "$input_dir" ]]; then
  echo "error: input folder '$input_dir' does not exist" >&2
  exit 3
fi
mkdir -p "$output_dir"

tmp_dir=$(mktemp -d "${output_dir}/.scoring.XXXXXX")
cleanup() {
  rm -rf "$tmp_dir"
}
trap cleanup EXIT

shopt -s nullglob
files=("$input_dir"/*.csv)
if [[ ${#files[@]} -eq 0 ]]; then
  echo "warning: no CSV files in '$input_dir'" >&2
  exit 0
fi

for file in "${files[@]}"; do
  name=$(basename "$file" .csv)
  partial="$tmp_dir/$name.scores.csv"
  echo "scoring $file" >&2
  if ! python -m scorer --input "$file" --output "$partial"; then
    echo "error: scoring failed for '$file'" >&2
    exit 1
  fi
  mv "$partial" "$output_dir/$name.scores.csv"
done

echo "scored ${#files[@]} file(s) into $output_dir" >&2
