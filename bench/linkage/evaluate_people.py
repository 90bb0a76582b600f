#!/usr/bin/env python3
"""Pairwise precision, recall and F1 of a clustering against the true persons.

Usage: python evaluate_people.py TRUTH_CSV CLUSTERS_CSV

TRUTH_CSV has columns source, record_id, person_id (see the synthetic_council
example); CLUSTERS_CSV has columns source, record_id, cluster_id. Two records
are a true pair when they are the same person, a predicted pair when they share
a cluster; counted over all pairs without listing them.
"""
import csv
import sys
from collections import Counter


def pairs(n):
    return n * (n - 1) // 2


def main(truth_path, clusters_path):
    person = {}
    with open(truth_path, newline="") as f:
        for row in csv.DictReader(f):
            person[(row["source"], row["record_id"])] = row["person_id"]
    both, clusters, persons = Counter(), Counter(), Counter()
    with open(clusters_path, newline="") as f:
        for row in csv.DictReader(f):
            key = (row["source"], row["record_id"])
            cluster, who = row["cluster_id"], person[key]
            both[(cluster, who)] += 1
            clusters[cluster] += 1
    for who in person.values():
        persons[who] += 1
    right = sum(pairs(n) for n in both.values())
    predicted = sum(pairs(n) for n in clusters.values())
    true = sum(pairs(n) for n in persons.values())
    precision = right / predicted if predicted else 0.0
    recall = right / true if true else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    print(f"precision={precision:.4f} recall={recall:.4f} f1={f1:.4f} "
          f"predicted_pairs={predicted} true_pairs={true}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(*sys.argv[1:])
