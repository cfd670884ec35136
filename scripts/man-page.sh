#!/bin/sh
# Writes the ternlab-cli man page: help2man on `ternlab-cli --help`, with a COMMANDS section holding each
# subcommand's own --help and an EXIT STATUS section.
# Usage: man-page.sh TERNLAB_CLI OUT.1 VERSION
set -eu
CLI=$1
OUT=$2
VERSION=$3
INC=$(mktemp)
trap 'rm -f "$INC"' EXIT
{
  echo "[COMMANDS]"
  for c in run runs show resume sweep results report export infer predict bench; do
    echo ".SS $c"
    echo ".nf"
    "$CLI" "$c" --help | sed 's/\\/\\\\/g; s/^\./\\\&./'
    echo ".fi"
  done
  echo "[EXIT STATUS]"
  echo "0 success; 1 a run failed or an input (dataset, model file, database) was refused, with the file and the"
  echo "fault on standard error; 2 a bad experiment or sweep file (the key is named); 100 to 115 bad command-line"
  echo "arguments (CLI11: 105 a value that does not convert, 106 a missing argument or unknown command); 130 a run"
  echo "stopped by Ctrl-C (recorded as cancelled)."
  echo "[FILES]"
  echo "\$XDG_DATA_HOME/ternlab/runs.sqlite (default ~/.local/share/ternlab/runs.sqlite): the run store shared with"
  echo "the workbench; checkpoints in artefacts/<run uuid>/ beside it."
} > "$INC"
help2man --no-info --no-discard-stderr --version-string "$VERSION" \
  --name "train, ternarize, export and benchmark ternary neural networks" --include "$INC" -o "$OUT" "$CLI"
