#!/usr/bin/env python3
"""Link a synthetic council's systems with Splink 4 (DuckDB backend).

Usage: python splink_council.py OUT_CLUSTERS_CSV SYSTEM_CSV... [--threshold P] [--seed N]
                                [--sweep P,P,...]

Each SYSTEM_CSV is one system's records (council_tax.csv, housing.csv, ...) as
the synthetic_council example writes them: record_id, first_name, surname,
date_of_birth, postcode, address_line1, email, phone. Every record is linked
with every other, across systems and within them (link_and_dedupe), as
`townhall index link` does with the same files. Writes OUT_CLUSTERS_CSV
(source, record_id, cluster_id) and prints the linkage's wall time. With
--sweep, also clusters the same predictions at each of those thresholds into
OUT_CLUSTERS_CSV with `.P` before its extension (`splink.0.99.csv`), outside
the time measured.

Values are cleaned first as Splink's documentation advises (its "feature
engineering" guide): names lower-cased with accents and punctuation taken off,
postcodes upper-case with one space before the inward code, phone numbers as
digits with +44 written 0, emails lower-case. Townhall does the same inside.

The model follows Splink's documented approach for people (its "deduplicate
historical persons" example): name comparisons with term-frequency
adjustments, a date-of-birth comparison, the postcode comparison, exact
address line, email and phone; blocking on names, date of birth, postcode,
email and phone; the prior from a deterministic rule, u by random sampling
over 1,000,000 pairs, m by two EM sessions.
"""
import argparse
import os
import re
import time
import unicodedata

import pandas as pd
import splink
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

def fold(name):
    if not isinstance(name, str):
        return name
    name = unicodedata.normalize("NFKD", name.replace("ł", "l").replace("Ł", "L"))
    name = "".join(c for c in name if not unicodedata.combining(c)).lower()
    name = re.sub(r"[^a-z -]", "", name).strip()
    return name or None


def postcode(value):
    if not isinstance(value, str):
        return value
    compact = value.replace(" ", "").upper()
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact or None


def phone(value):
    if not isinstance(value, str):
        return value
    digits = re.sub(r"[^0-9]", "", value)
    if digits.startswith("44"):
        digits = "0" + digits[2:]
    return digits or None


def load(path):
    df = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    df = df.apply(lambda s: s.str.strip())
    for column in ("first_name", "surname"):
        df[column] = df[column].map(fold)
    df["postcode"] = df["postcode"].map(postcode)
    df["phone"] = df["phone"].map(phone)
    df["email"] = df["email"].str.lower()
    return df


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out_csv")
    ap.add_argument("systems", nargs="+")
    ap.add_argument("--threshold", type=float, default=0.95)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--sweep", default="",
                    help="comma-separated thresholds to cluster at as well")
    args = ap.parse_args()
    paths = args.systems
    names = [os.path.splitext(os.path.basename(p))[0] for p in paths]
    dfs = [load(p) for p in paths]

    t0 = time.perf_counter()
    settings = SettingsCreator(
        unique_id_column_name="record_id",
        link_type="link_and_dedupe",
        blocking_rules_to_generate_predictions=[
            block_on("first_name", "surname"),
            block_on("surname", "date_of_birth"),
            block_on("first_name", "date_of_birth"),
            block_on("postcode", "substr(first_name, 1, 1)"),
            block_on("email"),
            block_on("phone"),
        ],
        comparisons=[
            cl.NameComparison("first_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison(
                "date_of_birth",
                input_is_string=True,
                datetime_format="%Y-%m-%d",
                invalid_dates_as_null=True,
            ),
            cl.PostcodeComparison("postcode"),
            cl.ExactMatch("address_line1").configure(term_frequency_adjustments=True),
            cl.EmailComparison("email"),
            cl.ExactMatch("phone"),
        ],
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker(dfs, settings, db_api=DuckDBAPI(), input_table_aliases=names)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("first_name", "surname", "date_of_birth")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=args.seed)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("first_name", "surname"), estimate_without_term_frequencies=True
    )
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("date_of_birth"), estimate_without_term_frequencies=True
    )
    sweep = [float(t) for t in args.sweep.split(",") if t]
    predictions = linker.inference.predict(
        threshold_match_probability=min([0.2, args.threshold] + sweep)
    )
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=args.threshold
    )
    df = clusters.as_pandas_dataframe()
    elapsed = time.perf_counter() - t0

    out = df[["source_dataset", "record_id", "cluster_id"]].rename(
        columns={"source_dataset": "source"}
    )
    out.to_csv(args.out_csv, index=False)
    print(f"splink {splink.__version__}: {len(out)} records, "
          f"{out['cluster_id'].nunique()} clusters at threshold {args.threshold}")
    print(f"linkage wall time: {elapsed:.2f} s")
    stem, ext = os.path.splitext(args.out_csv)
    for t in sweep:
        df = linker.clustering.cluster_pairwise_predictions_at_threshold(
            predictions, threshold_match_probability=t
        ).as_pandas_dataframe()
        df[["source_dataset", "record_id", "cluster_id"]].rename(
            columns={"source_dataset": "source"}
        ).to_csv(f"{stem}.{t}{ext}", index=False)


if __name__ == "__main__":
    main()
