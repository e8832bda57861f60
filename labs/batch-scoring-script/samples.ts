// What the behaviour checks run score.sh against (script.runInPod): a stand-in for the scoring CLI
// and sample input folders. The stand-in behaves like the real CLI where the lab depends on it:
// it writes its output as it goes, and on a row it cannot score it stops half-way with its own
// exit code (65), so a script that writes in place or passes the CLI's code on is caught.

/** `python -m scorer --input <file.csv> --output <file.scores.csv>`, the only `python` in the pod. */
export const SCORER_STAND_IN = `#!/bin/bash
set -u
if [ "\${1:-}" != "-m" ] || [ "\${2:-}" != "scorer" ]; then
  echo "python: only 'python -m scorer' is available here" >&2
  exit 127
fi
shift 2
input="" output=""
while [ "$#" -gt 0 ]; do
  case "$1" in
    --input) input=$2; shift 2 ;;
    --output) output=$2; shift 2 ;;
    *) echo "scorer: unknown argument $1" >&2; exit 64 ;;
  esac
done
if [ ! -f "$input" ]; then echo "scorer: no such input file: $input" >&2; exit 66; fi
echo "customer_id,churn_probability" > "$output"
while IFS=, read -r id rest; do
  [ "$id" = "customer_id" ] && continue
  if [ "$id" = "corrupt" ]; then echo "scorer: cannot score row '$id,$rest'" >&2; exit 65; fi
  echo "$id,0.42" >> "$output"
done < "$input"
`;

const HEADER = "customer_id,tenure_months,monthly_charges,contract\n";
const GOOD = `${HEADER}C00001,12,70.5,month-to-month\nC00002,40,20.0,two-year\n`;
const BROKEN = `${HEADER}C00003,5,99.0,one-year\ncorrupt,,,\nC00004,7,50.0,one-year\n`;

/** Two files to score, one with a space in its name, and a file that is not CSV. */
export const GOOD_INPUT = { "in/week 1.csv": GOOD, "in/week2.csv": GOOD, "in/notes.txt": "not a CSV file\n" };
export const GOOD_OUTPUTS = ["week 1.scores.csv", "week2.scores.csv"];

/** A good file first (glob order), then one the scorer fails on half-way. */
export const FAILING_INPUT = { "in/a.csv": GOOD, "in/b.csv": BROKEN };
