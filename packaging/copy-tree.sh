#!/bin/bash
# copy-tree.sh SRC DEST: copy the source tree SRC into DEST (created; must
# not exist) as it is now, uncommitted changes and new files included, for a
# package build. In a git work tree: the tracked files that still exist plus
# the untracked ones that .gitignore does not exclude (so never build/).
# Elsewhere: everything but build/, .git/ and debian/.
set -euo pipefail
src=$1 dest=$2
[ ! -e "$dest" ] || { echo "copy-tree.sh: $dest exists" >&2; exit 1; }
mkdir -p "$dest"
if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1 &&
	[ "$(git -C "$src" rev-parse --show-toplevel)" = "$(cd "$src" && pwd -P)" ]; then
	(cd "$src" && git ls-files -z --cached --others --exclude-standard) |
		(cd "$src" && while IFS= read -r -d '' f; do
			case $f in build/* | debian/*) continue ;; esac
			[ -e "$f" ] || [ -L "$f" ] || continue # deleted, not yet committed
			printf '%s\0' "$f"
		done) |
		tar -C "$src" --null --no-recursion -T - -cf - | tar -C "$dest" -xf -
else
	tar -C "$src" --exclude=./build --exclude=./.git --exclude=./debian -cf - . |
		tar -C "$dest" -xf -
fi
[ -f "$dest/Makefile" ] || { echo "copy-tree.sh: no Makefile copied from $src" >&2; exit 1; }
