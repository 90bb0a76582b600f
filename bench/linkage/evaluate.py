#!/usr/bin/env python3
"""Pairwise precision / recall / F1 of cross-file links.

Usage: python evaluate.py TRUTH_CSV CLUSTERS_CSV

TRUTH_CSV: columns rec_id_a, rec_id_b (the true A-B links).
CLUSTERS_CSV: columns source, record_id, cluster_id. source is 'a'/'b', or the
input file's stem; if neither 'a' nor 'b' appears, the source whose record ids
overlap most with truth's rec_id_a is taken as A and the other as B.
A pair (a, b) is predicted linked iff both records share a cluster_id.
"""
import sys

import pandas as pd


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    truth = pd.read_csv(sys.argv[1], dtype=str)
    cl = pd.read_csv(sys.argv[2], dtype=str)
    true_pairs = set(zip(truth["rec_id_a"], truth["rec_id_b"]))

    sources = set(cl["source"])
    if {"a", "b"} <= sources:
        src_a, src_b = "a", "b"
    else:  # infer which source is A from overlap with the truth's A ids
        if len(sources) != 2:
            sys.exit(f"expected two sources, got {sorted(sources)}")
        ids_a = set(truth["rec_id_a"])
        s1, s2 = sorted(sources, key=lambda s: -cl.loc[cl["source"] == s, "record_id"].isin(ids_a).sum())
        src_a, src_b = s1, s2

    # Predicted cross-file pairs: all (a, b) member combinations within each cluster.
    a = cl[cl["source"] == src_a][["cluster_id", "record_id"]]
    b = cl[cl["source"] == src_b][["cluster_id", "record_id"]]
    joined = a.merge(b, on="cluster_id", suffixes=("_a", "_b"))
    pred_pairs = set(zip(joined["record_id_a"], joined["record_id_b"]))

    tp = len(pred_pairs & true_pairs)
    p = tp / len(pred_pairs) if pred_pairs else 0.0
    r = tp / len(true_pairs) if true_pairs else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    print(f"precision={p:.4f} recall={r:.4f} f1={f1:.4f} "
          f"predicted_pairs={len(pred_pairs)} true_pairs={len(true_pairs)}")


if __name__ == "__main__":
    main()
