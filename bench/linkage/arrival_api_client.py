#!/usr/bin/env python3
"""Send records to POST /api/v1/index/records one request at a time and time each.

Usage: arrival_api_client.py BASE_URL KEY SYSTEM_CSV ARRIVALS

Each arrival is a record of SYSTEM_CSV (the synthetic council's export) sent
again under a new record id, so that it is linked to the person it belongs to
(its candidates found, scored, its cluster worked out again and written).
Prints "p50 / p99 / worst" in milliseconds, as the client saw them (HTTP on
loopback included). Uses only the standard library.
"""
import csv
import http.client
import json
import random
import sys
import time
import urllib.parse


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    base, key, path, arrivals = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    random.seed(7)
    chosen = random.sample(rows, min(arrivals, len(rows)))
    url = urllib.parse.urlparse(base)
    conn = http.client.HTTPConnection(url.hostname, url.port)
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    times = []
    for n, row in enumerate(chosen):
        record = {
            "record_id": f"ARRIVAL{n:06}",
            "first_name": row["first_name"],
            "surname": row["surname"],
            "date_of_birth": row["date_of_birth"],
            "postcode": row["postcode"],
            "address": row["address_line1"],
            "email": row["email"],
            "phone": row["phone"],
        }
        body = json.dumps(record)
        started = time.perf_counter()
        conn.request("POST", "/api/v1/index/records", body=body, headers=headers)
        response = conn.getresponse()
        answer = response.read()
        times.append((time.perf_counter() - started) * 1000)
        if response.status != 200:
            sys.exit(f"arrival {n}: {response.status} {answer[:300]!r}")
    times.sort()
    pick = lambda q: times[min(len(times) - 1, int(q * len(times)))]
    print(f"{pick(0.5):.1f} / {pick(0.99):.1f} / {times[-1]:.1f} ms")


if __name__ == "__main__":
    main()
