#!/usr/bin/env bash
# Times `gazette check` (release build) on the shared corpus and on generated
# stress inputs: a 50 MB document, deep nesting (100 000 quotes, 3 000 lists), a 20 000-entry
# catalogue, and up to 100 000 decisions each reporting two errors. Prints a table of wall time and peak memory; run from the crate root:
#   bench/check.sh [path/to/corpus]
set -euo pipefail
cd "$(dirname "$0")/.."
corpus="${1:-../shared/corpus/lawrefbook}"
target="${CARGO_TARGET_DIR:-target}"
cargo build --release --quiet
bin="$target/release/gazette"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

site() { # site NAME: an empty site folder
  mkdir -p "$work/$1/content"
  printf 'title = "%s"\n' "$1" > "$work/$1/site.toml"
  echo "$work/$1"
}

run() { # run LABEL ROOT: one row of the table
  local status=0
  /usr/bin/time -o "$work/time" -f '%e %M' "$bin" check --root "$2" --as-of 2026-11-27 \
    >/dev/null 2>"$work/stderr" || status=$?
  local summary secs kib
  summary="$(grep -m1 '^checked:' "$work/stderr" || echo "exit $status")"
  read -r secs kib < "$work/time"
  printf '| %-34s | %8s s | %7d MB | %s |\n' "$1" "$secs" "$((kib / 1024))" "$summary"
}

printf '| %-34s | %10s | %10s | %s |\n' input wall "peak RSS" result
printf '|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..36})" "------------" "------------" "--------"

if [ -d "$corpus" ]; then
  root="$(site corpus)"
  cp -r "$corpus"/. "$root/content/"
  run "shared corpus ($(find "$root/content" -name '*.md' | wc -l) files)" "$root"
fi

# Doubling sizes: linear time shows as doubling wall time.
for articles in 112500 225000 450000; do
  root="$(site "big-$articles")"
  {
    printf '# 超长文件\n\n2020年1月1日 通过\n\n<!-- INFO END -->\n\n'
    awk -v n="$articles" 'BEGIN { for (i = 1; i <= n; i++) printf "第%d条 本条规定的内容，见[第一条](#art-1)，重复以增加篇幅，重复以增加篇幅。\n\n", i }'
  } > "$root/content/big.md"
  run "one $(( $(stat -c %s "$root/content/big.md") / 1000000 )) MB document" "$root"
done

root="$(site nested)"
awk 'BEGIN { printf "# 引用\n\n"; for (i = 0; i < 100000; i++) printf "> "; print "深" }' > "$root/content/quotes.md"
awk 'BEGIN { printf "# 列表\n\n"; for (i = 0; i < 3000; i++) { for (j = 0; j < i; j++) printf "  "; printf "- 第%d层\n", i } }' > "$root/content/lists.md"
run "100k-deep quotes, 3000-deep lists" "$root"

for entries in 5000 10000 20000; do
  root="$(site "listed-$entries")"
  awk -v n="$entries" 'BEGIN { for (i = 0; i < n; i++) printf "[[document]]\nid = \"c/%d\"\ntitle = \"文件%d\"\npublished = 2020-01-01\n\n", i, i }' > "$root/content/catalogue.toml"
  run "catalogue with $entries entries" "$root"
done

# Many errors: decisions each repealing an unknown id (a did-you-mean each)
# and sharing one 文号, printed human-readable with their source lines.
# Near-linear time shows as wall time growing with the count, not its square.
for entries in 20000 50000 100000; do
  root="$(site "errors-$entries")"
  awk -v n="$entries" 'BEGIN { for (i = 0; i < n; i++) printf "[[decision]]\nid = \"d/%d\"\ntitle = \"决定%d\"\nnumber = \"同号〔2020〕1号\"\ndate = 2020-01-01\nrepeals = [\"missing/%d\"]\n\n", i, i, i }' > "$root/content/catalogue.toml"
  run "$entries unknown ids, duplicate 文号" "$root"
done
