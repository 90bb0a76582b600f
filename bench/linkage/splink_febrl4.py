#!/usr/bin/env python3
"""Link FEBRL4 A<->B with Splink 4 (DuckDB backend).

Usage: python splink_febrl4.py INPUT_DIR OUT_CLUSTERS_CSV [THRESHOLD=0.95]
                                [--iso-dob] [--soc-sec-id] [--seed N]
                                [--sweep P,P,...]

INPUT_DIR holds a.csv and b.csv (see febrl4_export.py). Writes
OUT_CLUSTERS_CSV with columns source ('a'/'b'), record_id, cluster_id, and
prints the wall time of the linkage (model set-up + training + predict + cluster).

This follows the "detailed model" of Splink's documented FEBRL4 example
(docs/demos/examples/duckdb/febrl4.ipynb, Splink 4 version), with ONE deliberate
change for a fair comparison against a tool that does not use soc_sec_id:
soc_sec_id is NOT used anywhere -- not as a comparison, not as a blocking rule,
and not as a deterministic rule for estimating the prior.

--soc-sec-id: the documented example as it is, soc_sec_id included (its
comparison, its blocking rule and its deterministic rule for the prior), to
compare with a tool that uses it too.

--iso-dob (off by default, i.e. the documented example as-is): in Splink 4.0.x
DateOfBirthComparison(datetime_format="%Y%m%d") applies the format only to its
NULL level; its "abs date difference <= 1 month / 1 year / 10 years" levels
still parse with '%Y-%m-%d', so for FEBRL's YYYYMMDD dates they never fire
(Splink issue #2714). --iso-dob rewrites date_of_birth to YYYY-MM-DD before
linking and uses datetime_format="%Y-%m-%d", so that all levels work as intended.

--sweep P,P,...: also clusters the same predictions at each of those
thresholds, into OUT_CLUSTERS.P.csv beside OUT_CLUSTERS_CSV.

--seed N: seed for the random sampling of u values (the example sets none, so
results vary a little from run to run); give one for reproducible results.
"""
import argparse
import os
import time

import pandas as pd
import splink
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on


def load(path):
    # All columns as strings; empty cells become NULL (NaN) for Splink.
    df = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    # As the example's prepare_data(): strip whitespace from every string value.
    return df.apply(lambda s: s.str.strip())


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("input_dir")
    ap.add_argument("out_csv")
    ap.add_argument("threshold", nargs="?", type=float, default=0.95)
    ap.add_argument("--iso-dob", action="store_true")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--soc-sec-id", action="store_true")
    ap.add_argument("--sweep", default="",
                    help="comma-separated thresholds to cluster at as well")
    args = ap.parse_args()
    threshold = args.threshold
    dfs = [load(f"{args.input_dir}/a.csv"), load(f"{args.input_dir}/b.csv")]
    dob_format = "%Y%m%d"  # as in the example
    if args.iso_dob:  # YYYYMMDD -> YYYY-MM-DD (other values left as they are)
        for df in dfs:
            df["date_of_birth"] = df["date_of_birth"].str.replace(
                r"^(\d{4})(\d{2})(\d{2})$", r"\1-\2-\3", regex=True)
        dob_format = "%Y-%m-%d"

    t0 = time.perf_counter()
    # Blocking rules from the example, minus block_on("soc_sec_id").
    blocking_rules = [
        block_on("given_name", "surname"),
        "l.given_name = r.surname and l.surname = r.given_name",
        block_on("date_of_birth"),
        # block_on("soc_sec_id"),  # removed: soc_sec_id not used (fairness)
        block_on("state", "address_1"),
        block_on("street_number", "address_1"),
        block_on("postcode"),
    ]
    if args.soc_sec_id:
        blocking_rules.append(block_on("soc_sec_id"))
    # The example's "detailed model", minus the soc_sec_id comparison.
    settings = SettingsCreator(
        unique_id_column_name="rec_id",
        link_type="link_only",
        blocking_rules_to_generate_predictions=blocking_rules,
        comparisons=[
            cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison(
                "date_of_birth",
                input_is_string=True,
                datetime_format=dob_format,
                invalid_dates_as_null=True,
            ),
            # cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),  # removed
            cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
            cl.DamerauLevenshteinAtThresholds("postcode", [1, 2]).configure(
                term_frequency_adjustments=True
            ),
            # (as in the example: other location columns are left out because
            # they are strongly correlated with postcode)
        ]
        + ([cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2])] if args.soc_sec_id else []),
        retain_intermediate_calculation_columns=True,
    )
    linker = Linker(dfs, settings, db_api=DuckDBAPI(), input_table_aliases=["a", "b"])

    # Prior: the example uses [block_on("soc_sec_id"), block_on("given_name",
    # "surname", "date_of_birth")] with recall=0.8; we keep only the second rule
    # (and the documented recall) because soc_sec_id is not used.
    deterministic_rules = [block_on("given_name", "surname", "date_of_birth")]
    if args.soc_sec_id:
        deterministic_rules.insert(0, block_on("soc_sec_id"))
    linker.training.estimate_probability_two_random_records_match(
        deterministic_rules, recall=0.8
    )
    # max_pairs=1e6 as in the example
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=args.seed)
    # Two EM sessions, as in the example.
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("date_of_birth"), estimate_without_term_frequencies=True
    )
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("postcode"), estimate_without_term_frequencies=True
    )

    # The example predicts at 0.2 and clusters at 0.99; we cluster at THRESHOLD
    # (and at each threshold of the sweep).
    sweep = [float(t) for t in args.sweep.split(",") if t]
    predictions = linker.inference.predict(
        threshold_match_probability=min([0.2, threshold] + sweep)
    )
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=threshold
    )
    df = clusters.as_pandas_dataframe()
    elapsed = time.perf_counter() - t0

    out = df[["source_dataset", "rec_id", "cluster_id"]].rename(
        columns={"source_dataset": "source", "rec_id": "record_id"}
    )
    out.to_csv(args.out_csv, index=False)
    print(f"splink {splink.__version__}: {len(out)} records, "
          f"{out['cluster_id'].nunique()} clusters at threshold {threshold}")
    print(f"linkage wall time: {elapsed:.2f} s")
    stem, ext = os.path.splitext(args.out_csv)
    for t in sweep:
        df = linker.clustering.cluster_pairwise_predictions_at_threshold(
            predictions, threshold_match_probability=t
        ).as_pandas_dataframe()
        df[["source_dataset", "rec_id", "cluster_id"]].rename(
            columns={"source_dataset": "source", "rec_id": "record_id"}
        ).to_csv(f"{stem}.{t}{ext}", index=False)


if __name__ == "__main__":
    main()
