r"""A partner's client for Townhall's data-exchange hub, built on pyauth's
`http-message-signatures` (RFC 9421) from PyPI: the hub's interoperability test
drives the hub with it, so its signatures come from code nobody here wrote.

It sends one JSON API request signed with the partner's Ed25519 key and checks
the hub's signed response:

    Content-Type: application/json                      (only with a body)
    Content-Digest: sha-256=:<base64 SHA-256 of the body bytes>:   (RFC 9530; an empty body too)
    Signature-Input: hub=("@method" "@path" "@query" "content-digest");created=<unix>;keyid="<id>";alg="ed25519";nonce="<nonce>"
    Signature: hub=:<base64 Ed25519 signature>:

The response must carry a `hub` signature by --hub-key-id covering at least
"@status" and "content-digest", made no more than five minutes ago, and a
Content-Digest that matches its body. Prints one JSON object:

    {"status": 200, "verified": true, "body": <the body as JSON, or its text>}

with "verified": false and "error" when the response's signature or digest
fails; exits 0 either way, and 2 (with a message on stderr) when no request
could be made. Keys are the standard base64 of the raw 32 bytes: the partner's
private key seed, the hub's public key.

    .venv/bin/python client.py \
        --url 'http://127.0.0.1:8080/api/hub/v1/people/PERSON/person?purpose=gp-wellbeing-checks&fields=phone' \
        --key-id rmc-2026 --private-key-file partner.key \
        --hub-key-id HUB-KEY-ID --hub-public-key HUB-PUBLIC-KEY

(the hub's key id and public key are at /api/hub/v1/keys).

--created and --nonce replace the signature's time and nonce (a stale request,
a replayed nonce); --tamper-body signs the body given and sends another (a
digest the hub must refuse); --dry-run prints the signed request instead of
sending it. --verify-webhook --method M --url U --headers-file H --body-file B
checks a webhook the hub sent to U (its header lines saved as a JSON object in
H, its body in B) and prints {"verified": ...}.
"""

import argparse
import base64
import datetime
import json
import secrets
import sys
import urllib.error
import urllib.request
import warnings
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ed25519
from http_message_signatures import (
    HTTPMessageSignaturesException,
    HTTPMessageSigner,
    HTTPMessageVerifier,
    MappingKeyResolver,
    algorithms,
)
from http_message_signatures.signatures import SignatureVerifyWarning

LABEL = "hub"
REQUEST_COVERS = ("@method", "@path", "@query", "content-digest")
RESPONSE_COVERS = ("@status", "content-digest")
# The package allows a day by default; the hub allows its partners five minutes.
RESPONSE_MAX_AGE = datetime.timedelta(minutes=5)

@dataclass
class Request:
    """The request as the package reads it: method, absolute URL, headers."""

    method: str
    url: str
    headers: dict[str, str]


@dataclass
class Response:
    """The response as the package reads it: `status_code` is what marks it a
    response, and `request` resolves components qualified with `;req`."""

    status_code: int
    headers: Any  # anything whose items() gives every field line, in order
    request: Request


def private_key(text: str) -> ed25519.Ed25519PrivateKey:
    return ed25519.Ed25519PrivateKey.from_private_bytes(base64.b64decode(text.strip(), validate=True))


def public_key(text: str) -> ed25519.Ed25519PublicKey:
    return ed25519.Ed25519PublicKey.from_public_bytes(base64.b64decode(text.strip(), validate=True))


def new_nonce() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(16)).rstrip(b"=").decode()


def signed_request(method, url, body, *, key_id, key, created, nonce) -> tuple[Request, str]:
    """Signs a request for `body` (whose Content-Digest the package adds);
    returns it and the signature base the package signed."""
    request = Request(method, url, {"Content-Type": "application/json"} if body else {})
    signer = HTTPMessageSigner(signature_algorithm=algorithms.ED25519)
    # prepare() and apply() rather than sign(), which does the same, to keep
    # the signature base for --dry-run and --self-test.
    prepared = signer.prepare(
        request,
        key_id=key_id,
        created=created,
        nonce=nonce,
        label=LABEL,
        include_alg=True,
        covered_component_ids=REQUEST_COVERS,
        body=body,
    )
    signer.apply(request, prepared, algorithms.ED25519(private_key=key).sign(prepared.signature_base))
    return request, prepared.signature_base.decode()


def shown(request: Request, sent_body: bytes, signature_base: str) -> dict:
    return {
        "method": request.method,
        "url": request.url,
        "headers": request.headers,
        "body": sent_body.decode("utf-8", "replace"),
        "signature_base": signature_base,
    }


def verify_response(response: Response, body: bytes, hub_key_id: str, hub_key) -> str | None:
    """None when the response is signed by the hub as required, else why not."""
    verifier = HTTPMessageVerifier(
        signature_algorithm=algorithms.ED25519,
        key_resolver=MappingKeyResolver(public_keys={hub_key_id: hub_key}, private_keys={}),
    )
    # The package wants a signed `tag` before it selects by label, since a label
    # is not signed. Here the key resolver knows only the hub's key and the
    # covered components are required, so the label alone is enough.
    verifier.allow_label_only_selection = True
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SignatureVerifyWarning)
            # With body=, the package also checks the signed Content-Digest against it.
            verifier.verify(
                response,
                expect_label=LABEL,
                require_components=RESPONSE_COVERS,
                max_age=RESPONSE_MAX_AGE,
                body=body,
            )
    except HTTPMessageSignaturesException as e:
        return str(e) or f"{type(e.__cause__).__name__}: the signature does not verify"
    return None


class KeepErrorResponses(urllib.request.HTTPErrorProcessor):
    """Hands back every status as a response: the hub's refusals are signed
    answers to check. Redirects are not followed either."""

    def http_response(self, request, response):
        return response

    https_response = http_response


def send(request: Request, sent_body: bytes) -> tuple[int, Any, bytes]:
    outgoing = urllib.request.Request(
        request.url, data=sent_body or None, headers=request.headers, method=request.method
    )
    with urllib.request.build_opener(KeepErrorResponses).open(outgoing, timeout=30) as response:
        return response.status, response.headers, response.read()


def parsed(body: bytes):
    try:
        return json.loads(body)
    except ValueError:
        return body.decode("utf-8", "replace")


def verify_webhook(args) -> int:
    """Checks a webhook the hub sent (its method, URL, header lines as a JSON
    object and body, saved by a receiver): signed by the hub's key over
    "@method", "@path", "@query" and "content-digest", within five minutes,
    its Content-Digest matching the body. Prints {"verified": ...}."""
    with open(args.headers_file) as f:
        headers = json.load(f)
    with open(args.body_file, "rb") as f:
        body = f.read()
    verifier = HTTPMessageVerifier(
        signature_algorithm=algorithms.ED25519,
        key_resolver=MappingKeyResolver(public_keys={args.hub_key_id: args.hub_key}, private_keys={}),
    )
    verifier.allow_label_only_selection = True
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SignatureVerifyWarning)
            verifier.verify(
                Request(args.method, args.url, headers),
                expect_label=LABEL,
                require_components=REQUEST_COVERS,
                max_age=RESPONSE_MAX_AGE,
                body=body,
            )
    except HTTPMessageSignaturesException as e:
        print(json.dumps({"verified": False, "error": str(e) or type(e.__cause__).__name__}))
        return 0
    print(json.dumps({"verified": True}))
    return 0


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="full URL, with path and query")
    parser.add_argument("--method", choices=("GET", "POST"), default="GET")
    body = parser.add_mutually_exclusive_group()
    body.add_argument("--body", help="JSON body, as text")
    body.add_argument("--body-file", help="file holding the body")
    parser.add_argument("--key-id", help="the partner's key id")
    key = parser.add_mutually_exclusive_group()
    key.add_argument("--private-key", help="base64 of the raw 32-byte Ed25519 seed")
    key.add_argument("--private-key-file", help="file holding that base64 text")
    parser.add_argument("--hub-key-id")
    parser.add_argument("--hub-public-key", help="base64 of the hub's raw 32-byte Ed25519 public key")
    parser.add_argument("--created", type=int, help="the signature's created time (Unix seconds); default now")
    parser.add_argument("--nonce", help="the signature's nonce; default 16 random bytes, base64url")
    parser.add_argument("--tamper-body", action="store_true", help="send another body than the one signed")
    parser.add_argument("--dry-run", action="store_true", help="print the signed request instead of sending it")
    parser.add_argument("--verify-webhook", action="store_true", help="check a webhook the hub sent, instead of sending a request")
    parser.add_argument("--headers-file", help="with --verify-webhook: the webhook's header lines, as a JSON object")
    args = parser.parse_args()
    if args.verify_webhook:
        missing = [f for f in ("url", "headers_file", "body_file", "hub_key_id", "hub_public_key") if getattr(args, f) is None]
        if missing:
            parser.error("--verify-webhook needs " + ", ".join("--" + m.replace("_", "-") for m in missing))
        args.hub_key = public_key(args.hub_public_key)
        return args
    needed = ["url", "key_id"] + ([] if args.dry_run else ["hub_key_id", "hub_public_key"])
    missing = [f"--{name.replace('_', '-')}" for name in needed if getattr(args, name) is None]
    if args.private_key is None and args.private_key_file is None:
        missing.append("--private-key or --private-key-file")
    if missing:
        parser.error("missing " + ", ".join(missing))
    try:
        if args.private_key_file is not None:
            with open(args.private_key_file) as f:
                args.private_key = f.read()
        args.key = private_key(args.private_key)
        args.hub_key = None if args.hub_public_key is None else public_key(args.hub_public_key)
    except (OSError, ValueError) as e:
        parser.error(f"key: {e}")
    return args


def main() -> int:
    args = arguments()
    if args.verify_webhook:
        return verify_webhook(args)
    if args.body_file is not None:
        with open(args.body_file, "rb") as f:
            body = f.read()
    else:
        body = (args.body or "").encode()
    # A trailing space keeps the body valid JSON, so the hub can refuse it only for its digest.
    sent_body = body + b" " if args.tamper_body else body
    created = None if args.created is None else datetime.datetime.fromtimestamp(args.created, datetime.timezone.utc)
    try:
        request, base = signed_request(
            args.method,
            args.url,
            body,
            key_id=args.key_id,
            key=args.key,
            created=created,
            nonce=new_nonce() if args.nonce is None else args.nonce,
        )
    except HTTPMessageSignaturesException as e:
        print(f"client.py: cannot sign the request: {e}", file=sys.stderr)
        return 2
    if args.dry_run:
        print(json.dumps(shown(request, sent_body, base), indent=2))
        return 0
    try:
        status, headers, response_body = send(request, sent_body)
    except (urllib.error.URLError, OSError) as e:
        print(f"client.py: no response from {args.url}: {e}", file=sys.stderr)
        return 2
    error = verify_response(Response(status, headers, request), response_body, args.hub_key_id, args.hub_key)
    result: dict[str, Any] = {"status": status, "verified": error is None}
    if error is not None:
        result["error"] = error
    result["body"] = parsed(response_body)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
