"""Drives an Open311 endpoint with Code for America's `open311` client from PyPI.

    .venv/bin/python run.py ENDPOINT API_KEY

ENDPOINT is the GeoReport v2 base address, e.g. http://127.0.0.1:8080/open311/v2.
It lists the services, creates a pothole report, and reads it back by its id, by
its token and in the list of requests, as the client does it (XML, its default),
then reads it once more in JSON. Prints what it saw as one JSON object.

The client (version 1.1, the latest) was written for Python 2. Three shims give it
back what Python 3 took away, and change nothing else: its modules import each
other by bare name, it posts a text body, and its XML reader calls
Element.getchildren(). Its URLs, parameters and parsing are its own.
"""

import json
import os
import sys
import types
import importlib
import importlib.util
import site
import urllib.request
import xml.etree.ElementTree as ET


def load_client():
    package = os.path.join(site.getsitepackages()[0], "open311")
    # Python 2's implicit relative imports: its modules find each other by bare name.
    sys.path[:0] = [os.path.join(package, "api"), os.path.join(package, "api", "xml2dict")]
    api = importlib.import_module("api")
    sys.modules["api.api"] = api

    # Element.getchildren() was removed in Python 3.9.
    class Element(ET._Element_Py):
        def getchildren(self):
            return list(self)

    def fromstring(text):
        parser = ET.XMLParser(target=ET.TreeBuilder(element_factory=Element))
        parser.feed(text)
        return parser.close()

    sys.modules["xml2dict.xml2dict"].ET = types.SimpleNamespace(fromstring=fromstring)

    spec = importlib.util.spec_from_file_location("open311_client", os.path.join(package, "open311.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    # Python 3's urlopen takes a body as bytes only; the client passes text.
    def urlopen(url, data=None):
        return urllib.request.urlopen(url, data.encode() if isinstance(data, str) else data)

    module.urlopen = urlopen
    return module.Open311


def main(endpoint, key):
    Open311 = load_client()
    client = Open311(endpoint=endpoint, api_key=key)
    services = client.service_list()
    created = client.post_service_request(
        service_code="report-pothole",
        lat="52.08",
        long="-0.98",
        email="jane.doe@mail.example",
        first_name="Jane",
        last_name="Doe",
        description="A deep pothole by the bus stop",
        **{"attribute[surface]": "road", "attribute[depth]": "7"},
    )
    made = created["service_requests"]["request"]
    one = client.get_service_request(made["service_request_id"])["service_requests"]["request"]
    by_token = client.request_id_from_token(made["token"])
    listed = client.service_requests(service_code="report-pothole")
    in_json = Open311(endpoint=endpoint, format="json").get_service_request(made["service_request_id"])
    print(json.dumps({
        "service_codes": [s["service_code"] for s in services],
        "created": made,
        "read_back": one,
        "by_token": by_token,
        "listed": listed if isinstance(listed, list) else [listed],
        "read_back_json": in_json,
    }))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(*sys.argv[1:])
