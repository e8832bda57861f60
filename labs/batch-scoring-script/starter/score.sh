#!/bin/sh
# Scores every CSV file in a folder.
for f in $(ls $1/*.csv); do
  python -m scorer --input $f --output $2/$(basename $f .csv).scores.csv
done
echo done
