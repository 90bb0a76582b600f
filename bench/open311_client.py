"""A small Open311 client for bench/durability, standard library only.

    load  URL KEY FILE   POST pothole reports from 8 threads until the server
                         goes away; every reference the server acknowledged is
                         appended to FILE as soon as the answer arrives.
    check URL FILE       reads every reference in FILE back; exits 1 if any is missing.
"""

import json
import random
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request

THREADS = 8


def post_one(url, key):
    body = urllib.parse.urlencode({
        "api_key": key,
        "service_code": "report-pothole",
        "lat": f"{52.40 + random.random() * 0.06:.6f}",
        "long": f"{-1.62 + random.random() * 0.128:.6f}",
        "attribute[surface]": "road",
        "description": "Pothole reported during the durability test",
    }).encode()
    with urllib.request.urlopen(url + "/open311/v2/requests.json", body, timeout=10) as r:
        return json.load(r)[0]["service_request_id"]


def load(url, key, path):
    lock = threading.Lock()
    out = open(path, "a", encoding="utf-8")
    stop = threading.Event()

    def worker():
        failures = 0
        while not stop.is_set():
            try:
                reference = post_one(url, key)
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                failures += 1
                if failures >= 20:
                    return
                continue
            failures = 0
            with lock:
                out.write(reference + "\n")
                out.flush()

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out.close()


def check(url, path):
    with open(path, encoding="utf-8") as f:
        acknowledged = [line.strip() for line in f if line.strip()]
    missing = []
    for i in range(0, len(acknowledged), 100):
        batch = acknowledged[i:i + 100]
        query = urllib.parse.urlencode({"service_request_id": ",".join(batch), "page_size": 1000})
        with urllib.request.urlopen(f"{url}/open311/v2/requests.json?{query}", timeout=30) as r:
            found = {item["service_request_id"] for item in json.load(r)}
        missing += [ref for ref in batch if ref not in found]
    print(f"{len(acknowledged)} requests acknowledged before the kill, "
          f"{len(acknowledged) - len(missing)} found after the restart, {len(missing)} lost")
    if missing:
        print("lost: " + ", ".join(missing[:20]))
        sys.exit(1)


if __name__ == "__main__":
    if sys.argv[1:2] == ["load"] and len(sys.argv) == 5:
        load(*sys.argv[2:])
    elif sys.argv[1:2] == ["check"] and len(sys.argv) == 4:
        check(*sys.argv[2:])
    else:
        sys.exit(__doc__)
