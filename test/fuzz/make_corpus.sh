#!/usr/bin/env bash
# Rewrites the seed corpora in test/fuzz/corpus/ from the golden machinable
# storage (test/export/golden) and from encoded chunks:
#   bash test/fuzz/make_corpus.sh build-fuzz
# (run scripts/fuzz.sh once first, so that build-fuzz/ has chunk_fuzz).
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build-fuzz}
golden=test/export/golden/machinable-storage
out=test/fuzz/corpus
rm -rf "$out"
mkdir -p "$out"/{py_json,canonical,records_line,chunk}
# py_json: every distinct JSON file of the golden (models, uses, resources, env).
for f in $(find "$golden" -name '*.json' | sort); do
  sum=$(md5sum <"$f" | cut -c1-12)
  cp "$f" "$out/py_json/$sum"
done
# canonical: configs (with a kind byte: 1 = object) and a few other values.
for f in $(find "$golden" -name experiment.json | sort); do
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.stdout.write("\x01"+json.dumps(d["config"]))' \
    "$f" >"$out/canonical/config-$(basename "$(dirname "$f")")"
done
printf '\x00[1, 2.5, -0.0, 1e300, 18446744073709551615, "\\u00e9", {"b_": 1, "a": null}]' >"$out/canonical/values"
printf '\x02[{"x": true}, false, "tab\\t"]' >"$out/canonical/array"
# records_line: each records file whole, and each line alone.
n=0
for f in $(find "$golden" -name '*.jsonl' | sort); do
  n=$((n + 1))
  cp "$f" "$out/records_line/file-$n"
  i=0
  while IFS= read -r line; do
    i=$((i + 1))
    printf '%s\n' "$line" >"$out/records_line/line-$n-$i"
  done <"$f"
done
printf '{"__timestamp": "2023-02-24T10:00:15-05:00", "big": 123456789012345678901234567890, "x": NaN, "s": "\\ud83d\\ude80"}\n' \
  >"$out/records_line/special"
# chunk: encoded chunks (modes 0 and 1 of chunk_fuzz.cc) and structured inputs.
"$build/test/fuzz/chunk_fuzz" --write-seeds="$out/chunk"
for i in 1 2 3; do head -c 256 /dev/urandom | { printf '\x02'; cat; } >"$out/chunk/rows-$i"; done
ls "$out"/* | wc -l
