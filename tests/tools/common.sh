# Shared by the check scripts (sourced): the Python they use and their scratch folder.
PY=/usr/bin/python3

# need_python "IMPORTS" "PACKAGES": exit 77 (CTest: skipped) naming the Debian packages when Debian's python3
# cannot import IMPORTS (a comma-separated import list).
need_python() {
  if ! $PY -c "import $1" 2>/dev/null; then
    echo "skipped: Debian's $2 missing (scripts/ternlab.sh setup installs it)"; exit 77
  fi
}

# A scratch folder in $WORK, removed when the script exits.
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
