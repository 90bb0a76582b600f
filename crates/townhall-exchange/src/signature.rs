//! Signed messages: HTTP Message Signatures (RFC 9421) with Ed25519, over a
//! `Content-Digest` of the body (RFC 9530).
//!
//! The hub's profile of RFC 9421: a partner's request carries one signature
//! that covers at least `@method`, `@path`, `@query` and `content-digest`,
//! with the parameters `created`, `nonce` and `keyid` (and `alg`, if given,
//! `ed25519`). The hub's responses, and the webhooks it sends, are signed
//! the same way with its own key.
//!
//! Structured fields are read and written with the `sfv` crate and Ed25519
//! is `ed25519-dalek`'s (strict verification: weak keys and small-order
//! points refused); the signature base is built here because the one RFC 9421
//! crate (`httpsig`) writes a signature's parameters back in an order of its
//! own, which breaks every signature whose parameters came in another order
//! (ARCHITECTURE.md, "Written here").

use base64::Engine;
use ed25519_dalek::Signer;
use sfv::{BareItem, Dictionary, FieldType, InnerList, Item, KeyRef, List, ListEntry, Parser};
use sha2::{Digest, Sha256, Sha512};

/// How long after its creation a signature is accepted, in seconds.
pub const MAX_AGE: i64 = 300;
/// How far ahead of the hub's clock a signature's creation may be, in
/// seconds: the partner's clock may be a little fast.
pub const MAX_AHEAD: i64 = 30;
/// The components a request's signature must cover.
pub const REQUIRED: [&str; 4] = ["@method", "@path", "@query", "content-digest"];
/// The components the hub's response signatures cover.
pub const RESPONSE_COVERS: [&str; 3] = ["@status", "content-type", "content-digest"];
/// The label of the signatures the hub makes.
pub const LABEL: &str = "hub";
/// The longest nonce accepted, in characters.
const MAX_NONCE: usize = 128;

/// Why a signed request is refused: each with a stable code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureRefusal {
    /// No `Signature` or `Signature-Input` header.
    #[error("the request must be signed: it has no Signature and Signature-Input headers")]
    Missing,
    /// The headers are not what RFC 9421 and the hub's profile expect.
    #[error("{0}")]
    Malformed(&'static str),
    /// The signature leaves out a component the hub requires.
    #[error("the signature must cover @method, @path, @query and content-digest")]
    Incomplete,
    /// The key id is not one of a registered partner.
    #[error("the signature's key id is not a key the hub knows")]
    UnknownKey,
    /// The key was not valid when the signature was made.
    #[error("the signature's key was not valid when the signature was made")]
    KeyNotValid,
    /// The signature does not verify.
    #[error("the signature does not match the request and the key")]
    BadSignature,
    /// No digest the hub can check.
    #[error("the request must carry a Content-Digest of its body with sha-256 or sha-512")]
    DigestMissing,
    /// The body is not the one the digest was made of.
    #[error("the Content-Digest does not match the body")]
    DigestMismatch,
    /// Created too long ago.
    #[error("the signature was created more than 300 seconds before the hub received it")]
    Stale,
    /// Its own `expires` time has passed.
    #[error("the signature's expires time has passed")]
    Expired,
    /// Created in the future.
    #[error("the signature was created more than 30 seconds after the hub received it")]
    Future,
    /// The nonce was used before by this key.
    #[error("the signature's nonce has been used before")]
    Replayed,
}

impl SignatureRefusal {
    /// Its stable code, e.g. `stale_signature`.
    pub fn code(&self) -> &'static str {
        match self {
            SignatureRefusal::Missing => "signature_missing",
            SignatureRefusal::Malformed(_) => "signature_malformed",
            SignatureRefusal::Incomplete => "signature_incomplete",
            SignatureRefusal::UnknownKey => "unknown_key",
            SignatureRefusal::KeyNotValid => "key_not_valid",
            SignatureRefusal::BadSignature => "bad_signature",
            SignatureRefusal::DigestMissing => "digest_missing",
            SignatureRefusal::DigestMismatch => "digest_mismatch",
            SignatureRefusal::Stale => "stale_signature",
            SignatureRefusal::Expired => "expired_signature",
            SignatureRefusal::Future => "future_signature",
            SignatureRefusal::Replayed => "replayed_nonce",
        }
    }
}

/// A request as the signature sees it.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// `GET`, `POST`, …
    pub method: &'a str,
    /// The host (and port) the request was sent to.
    pub authority: &'a str,
    /// The path, as sent.
    pub path: &'a str,
    /// The query, as sent, without its `?`.
    pub query: Option<&'a str>,
    /// The header fields, names in lower case, in the order received.
    pub headers: &'a [(&'a str, &'a str)],
    /// The body.
    pub body: &'a [u8],
}

impl Request<'_> {
    /// A header field's value: every line of it, trimmed, joined by `, `
    /// (RFC 9421 §2.1).
    fn field(&self, name: &str) -> Option<String> {
        let values: Vec<&str> = self
            .headers
            .iter()
            .filter(|(n, _)| *n == name)
            .map(|(_, v)| v.trim())
            .collect();
        (!values.is_empty()).then(|| values.join(", "))
    }

    /// A component's value, as RFC 9421 §2 defines it.
    fn component(&self, name: &str) -> Option<String> {
        Some(match name {
            "@method" => self.method.to_owned(),
            "@authority" => self.authority.to_ascii_lowercase(),
            "@path" if self.path.is_empty() => "/".to_owned(),
            "@path" => self.path.to_owned(),
            "@query" => format!("?{}", self.query.unwrap_or_default()),
            "@request-target" => match self.query {
                Some(q) => format!("{}?{q}", self.path),
                None => self.path.to_owned(),
            },
            derived if derived.starts_with('@') => return None,
            field => return self.field(field),
        })
    }
}

/// A request's signature, read and checked against the profile, not yet
/// verified.
#[derive(Debug, Clone)]
pub struct Signed {
    /// The key it names.
    pub key_id: String,
    /// When it was made, in seconds since 1970.
    pub created: i64,
    /// When it stops being accepted, if it says.
    pub expires: Option<i64>,
    /// Its nonce, used once.
    pub nonce: String,
    base: String,
    signature: Vec<u8>,
}

impl Signed {
    /// Reads the one signature of `request`, and builds what it signs.
    pub fn read(request: &Request<'_>) -> Result<Self, SignatureRefusal> {
        let (Some(input), Some(signature)) =
            (request.field("signature-input"), request.field("signature"))
        else {
            return Err(SignatureRefusal::Missing);
        };
        let malformed = SignatureRefusal::Malformed;
        let inputs: Dictionary = Parser::new(&input).parse().map_err(|_| {
            malformed("the Signature-Input header is not a structured field dictionary (RFC 8941)")
        })?;
        let signatures: Dictionary = Parser::new(&signature).parse().map_err(|_| {
            malformed("the Signature header is not a structured field dictionary (RFC 8941)")
        })?;
        let [(label, ListEntry::InnerList(covered))] = inputs.iter().collect::<Vec<_>>()[..] else {
            return Err(malformed(
                "the Signature-Input header must hold exactly one signature, as a list of components",
            ));
        };
        let Some(ListEntry::Item(Item {
            bare_item: BareItem::ByteSequence(bytes),
            ..
        })) = signatures.get(label)
        else {
            return Err(malformed(
                "the Signature header must hold the signature the Signature-Input header labels, as a byte sequence",
            ));
        };
        // A digest covered but not sent is a missing digest, not a
        // malformed signature.
        let covers_digest = covered.items.iter().any(|i| {
            i.bare_item
                .as_string()
                .is_some_and(|n| n.as_str() == "content-digest")
        });
        if covers_digest && request.field("content-digest").is_none() {
            return Err(SignatureRefusal::DigestMissing);
        }
        let base = signature_base(covered, |name, _| request.component(name), false)?;
        let names: Vec<&str> = covered
            .items
            .iter()
            .filter_map(|i| i.bare_item.as_string().map(|s| s.as_str()))
            .collect();
        if REQUIRED.iter().any(|r| !names.contains(r)) {
            return Err(SignatureRefusal::Incomplete);
        }
        let params = &covered.params;
        let text = |key: &str| {
            params
                .get(key)
                .and_then(|v| v.as_string())
                .map(|s| s.as_str().to_owned())
        };
        let integer = |key: &str| params.get(key).and_then(|v| v.as_integer()).map(i64::from);
        if params.get("alg").is_some() && text("alg").as_deref() != Some("ed25519") {
            return Err(malformed(
                "the hub accepts only Ed25519 signatures: alg must be \"ed25519\"",
            ));
        }
        let created = integer("created").ok_or(malformed(
            "the signature must say when it was created, as an integer 'created' parameter",
        ))?;
        let expires = match params.get("expires") {
            None => None,
            Some(_) => Some(
                integer("expires")
                    .ok_or(malformed("the 'expires' parameter must be an integer"))?,
            ),
        };
        let nonce = text("nonce")
            .filter(|n| !n.is_empty() && n.chars().count() <= MAX_NONCE)
            .ok_or(malformed(
                "the signature must carry a 'nonce' parameter of 1 to 128 characters",
            ))?;
        let key_id = text("keyid").filter(|k| !k.is_empty()).ok_or(malformed(
            "the signature must name its key in a 'keyid' parameter",
        ))?;
        Ok(Signed {
            key_id,
            created,
            expires,
            nonce,
            base,
            signature: bytes.clone(),
        })
    }

    /// Whether it was made within the window around `now` (seconds since 1970).
    pub fn check_time(&self, now: i64) -> Result<(), SignatureRefusal> {
        if self.created > now + MAX_AHEAD {
            return Err(SignatureRefusal::Future);
        }
        if now - self.created > MAX_AGE {
            return Err(SignatureRefusal::Stale);
        }
        if self.expires.is_some_and(|e| e < now) {
            return Err(SignatureRefusal::Expired);
        }
        Ok(())
    }

    /// Whether `public_key` made it (strictly: a weak key or a signature
    /// with a small-order point is refused, as RFC 8032 implementations
    /// that forbid malleability do).
    pub fn verify(&self, public_key: &[u8; 32]) -> Result<(), SignatureRefusal> {
        let key = usable_key(public_key).ok_or(SignatureRefusal::BadSignature)?;
        let signature = <[u8; 64]>::try_from(self.signature.as_slice())
            .map(|s| ed25519_dalek::Signature::from_bytes(&s))
            .map_err(|_| SignatureRefusal::BadSignature)?;
        key.verify_strict(self.base.as_bytes(), &signature)
            .map_err(|_| SignatureRefusal::BadSignature)
    }
}

/// The signature base (RFC 9421 §2.5): one line per covered component, then
/// the signature's parameters as they were sent.
fn signature_base(
    covered: &InnerList,
    value: impl Fn(&str, bool) -> Option<String>,
    with_req: bool,
) -> Result<String, SignatureRefusal> {
    let malformed = SignatureRefusal::Malformed;
    let mut base = String::new();
    let mut seen: Vec<(&str, bool)> = Vec::new();
    for item in &covered.items {
        let Some(name) = item.bare_item.as_string().map(|s| s.as_str()) else {
            return Err(malformed(
                "each covered component must be a string, e.g. \"@method\"",
            ));
        };
        // Only a response's signature covers its request's components
        // (`;req`, RFC 9421 §2.4); no other parameter is taken.
        let req = with_req
            && item.params.len() == 1
            && item.params.get("req").and_then(|v| v.as_boolean()) == Some(true);
        if !item.params.is_empty() && !req {
            return Err(malformed(
                "the hub does not accept parameters on covered components",
            ));
        }
        if name.to_ascii_lowercase() != name || seen.contains(&(name, req)) {
            return Err(malformed(
                "covered components must be in lower case, each once",
            ));
        }
        seen.push((name, req));
        let value = value(name, req).ok_or(malformed(
            "the signature covers a component the message does not have",
        ))?;
        base.push_str(&item.serialize());
        base.push_str(": ");
        base.push_str(&value);
        base.push('\n');
    }
    let params = List::from(vec![ListEntry::InnerList(covered.clone())])
        .serialize()
        .ok_or(malformed(
            "the signature's parameters cannot be written back",
        ))?;
    base.push_str("\"@signature-params\": ");
    base.push_str(&params);
    Ok(base)
}

/// `bytes` as an Ed25519 public key a signature may be checked with: a
/// point on the curve, not of small order (a weak key, with which
/// signatures can be made without any private key).
pub fn usable_key(bytes: &[u8; 32]) -> Option<ed25519_dalek::VerifyingKey> {
    ed25519_dalek::VerifyingKey::from_bytes(bytes)
        .ok()
        .filter(|k| !k.is_weak())
}

/// Checks a request's `Content-Digest` (RFC 9530) against its body: every
/// sha-256 and sha-512 digest it carries must match, and it must carry one.
pub fn check_digest(request: &Request<'_>) -> Result<(), SignatureRefusal> {
    let header = request
        .field("content-digest")
        .ok_or(SignatureRefusal::DigestMissing)?;
    let digests: Dictionary = Parser::new(&header)
        .parse()
        .map_err(|_| SignatureRefusal::DigestMissing)?;
    let mut checked = 0;
    for (algorithm, entry) in &digests {
        let ListEntry::Item(Item {
            bare_item: BareItem::ByteSequence(sent),
            ..
        }) = entry
        else {
            continue;
        };
        let computed: Vec<u8> = match algorithm.as_str() {
            "sha-256" => Sha256::digest(request.body).to_vec(),
            "sha-512" => Sha512::digest(request.body).to_vec(),
            _ => continue,
        };
        if &computed != sent {
            return Err(SignatureRefusal::DigestMismatch);
        }
        checked += 1;
    }
    if checked == 0 {
        return Err(SignatureRefusal::DigestMissing);
    }
    Ok(())
}

/// A new nonce: 128 random bits, in hex.
pub fn nonce() -> String {
    format!("{:032x}", rand::random::<u128>())
}

/// The `Content-Digest` of `body`, with SHA-256.
pub fn content_digest(body: &[u8]) -> String {
    format!(
        "sha-256=:{}:",
        base64::engine::general_purpose::STANDARD.encode(Sha256::digest(body))
    )
}

/// Why a message could not be signed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SigningError {
    /// The seed is not an Ed25519 private key.
    #[error("an Ed25519 private key is 32 bytes")]
    BadSeed,
    /// A key id or nonce a structured field cannot carry.
    #[error("a key id and a nonce must be printable ASCII")]
    NotPrintable,
    /// A time a structured field cannot carry.
    #[error("the signature's time is out of range")]
    BadTime,
    /// A component the message lacks.
    #[error("{0}")]
    Component(&'static str),
}

/// An Ed25519 private key, with the id its signatures name.
pub struct SigningKey {
    /// The `keyid` its signatures carry.
    pub key_id: String,
    pair: ed25519_dalek::SigningKey,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// The key whose 32-byte private seed is `seed`.
    pub fn from_seed(key_id: &str, seed: &[u8; 32]) -> Result<Self, SigningError> {
        Ok(Self {
            key_id: key_id.to_owned(),
            pair: ed25519_dalek::SigningKey::from_bytes(seed),
        })
    }

    /// A new random key: the key and its seed, which is shown once.
    pub fn generate(key_id: &str) -> Result<(Self, [u8; 32]), SigningError> {
        let seed: [u8; 32] = rand::random();
        Ok((Self::from_seed(key_id, &seed)?, seed))
    }

    /// Its public half.
    pub fn public_key(&self) -> [u8; 32] {
        self.pair.verifying_key().to_bytes()
    }

    /// Signs the components `covered` (their values from `value`) with the
    /// parameters `created`, `keyid`, `nonce` and `alg`: the
    /// `Signature-Input` and `Signature` header values.
    fn sign(
        &self,
        covered: &[(&str, bool)],
        value: impl Fn(&str, bool) -> Option<String>,
        (created, nonce): (i64, &str),
    ) -> Result<(String, String), SigningError> {
        let string = |s: &str| {
            sfv::String::from_string(s.to_owned())
                .map(BareItem::String)
                .map_err(|_| SigningError::NotPrintable)
        };
        let items = covered
            .iter()
            .map(|(c, req)| {
                string(c).map(|name| {
                    let mut item = Item::new(name);
                    if *req {
                        item.params
                            .insert(KeyRef::constant("req").to_owned(), BareItem::Boolean(true));
                    }
                    item
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut inner = InnerList::new(items);
        let created = sfv::Integer::try_from(created).map_err(|_| SigningError::BadTime)?;
        inner.params.insert(
            KeyRef::constant("created").to_owned(),
            BareItem::Integer(created),
        );
        inner
            .params
            .insert(KeyRef::constant("keyid").to_owned(), string(&self.key_id)?);
        inner
            .params
            .insert(KeyRef::constant("nonce").to_owned(), string(nonce)?);
        inner
            .params
            .insert(KeyRef::constant("alg").to_owned(), string("ed25519")?);
        let base = signature_base(&inner, value, true).map_err(|refusal| match refusal {
            SignatureRefusal::Malformed(why) => SigningError::Component(why),
            _ => SigningError::Component("the message cannot be signed"),
        })?;
        let signature = self.pair.sign(base.as_bytes()).to_bytes();
        let label = || KeyRef::constant(LABEL).to_owned();
        // A dictionary with one member always serialises.
        let input = Dictionary::from_iter([(label(), ListEntry::InnerList(inner))])
            .serialize()
            .unwrap_or_default();
        let signature = Dictionary::from_iter([(
            label(),
            ListEntry::Item(Item::new(BareItem::ByteSequence(signature.to_vec()))),
        )])
        .serialize()
        .unwrap_or_default();
        Ok((input, signature))
    }

    /// Signs a response: its status, content type and body and, when it
    /// answers one, its request's method, path, query and digest (`;req`,
    /// RFC 9421 §2.4), so that an answer cannot be passed off as another
    /// request's.
    pub fn sign_response(
        &self,
        status: u16,
        content_type: &str,
        body: &[u8],
        request: Option<&Request<'_>>,
        made: (i64, &str),
    ) -> Result<SignedHeaders, SigningError> {
        let digest = content_digest(body);
        let mut covered: Vec<(&str, bool)> = RESPONSE_COVERS.iter().map(|c| (*c, false)).collect();
        if let Some(request) = request {
            covered.extend(
                REQUIRED
                    .iter()
                    .filter(|c| request.component(c).is_some())
                    .map(|c| (*c, true)),
            );
        }
        let (signature_input, signature) = self.sign(
            &covered,
            |name, req| match (name, req) {
                (_, true) => request.and_then(|r| r.component(name)),
                ("@status", false) => Some(status.to_string()),
                ("content-type", false) => Some(content_type.to_owned()),
                ("content-digest", false) => Some(digest.clone()),
                _ => None,
            },
            made,
        )?;
        Ok(SignedHeaders {
            content_digest: digest,
            signature_input,
            signature,
        })
    }

    /// Signs a request as the hub's profile asks (for webhooks, and for
    /// partners' programs written in Rust), made at `created` with `nonce`.
    pub fn sign_request(
        &self,
        request: &Request<'_>,
        made: (i64, &str),
    ) -> Result<SignedHeaders, SigningError> {
        let digest = content_digest(request.body);
        let covered: Vec<(&str, bool)> = REQUIRED.iter().map(|c| (*c, false)).collect();
        let (signature_input, signature) = self.sign(
            &covered,
            |name, _| match name {
                "content-digest" => Some(digest.clone()),
                other => request.component(other),
            },
            made,
        )?;
        Ok(SignedHeaders {
            content_digest: digest,
            signature_input,
            signature,
        })
    }
}

/// The header values a signed message carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedHeaders {
    /// `Content-Digest`.
    pub content_digest: String,
    /// `Signature-Input`.
    pub signature_input: String,
    /// `Signature`.
    pub signature: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(text: &str) -> Vec<u8> {
        base64::engine::general_purpose::STANDARD
            .decode(text)
            .unwrap()
    }

    /// RFC 9421 Appendix B.1.4's `test-key-ed25519`: the last 32 bytes of
    /// its PKCS#8 private key and of its SubjectPublicKeyInfo.
    fn rfc_key() -> ([u8; 32], [u8; 32]) {
        let private = b64("MC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF");
        let public = b64("MCowBQYDK2VwAyEAJrQLj5P/89iXES9+vFgrIy29clF9CC/oPPsw3c5D0bs=");
        (
            private[16..].try_into().unwrap(),
            public[12..].try_into().unwrap(),
        )
    }

    const RFC_HEADERS: [(&str, &str); 5] = [
        ("host", "example.com"),
        ("date", "Tue, 20 Apr 2021 02:07:55 GMT"),
        ("content-type", "application/json"),
        ("content-digest", "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:"),
        ("content-length", "18"),
    ];

    fn rfc_request<'a>(headers: &'a [(&'a str, &'a str)], body: &'a [u8]) -> Request<'a> {
        Request {
            method: "POST",
            authority: "example.com",
            path: "/foo",
            query: Some("param=Value&Pet=dog"),
            headers,
            body,
        }
    }

    /// RFC 9421 Appendix B.2.6, signing a request with Ed25519: the same
    /// signature base, the same signature, and it verifies.
    #[test]
    fn reproduces_rfc_9421_b_2_6() {
        let input: Dictionary = Parser::new(
            r#"sig-b26=("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519""#,
        )
        .parse()
        .unwrap();
        let ListEntry::InnerList(covered) = &input[0] else {
            panic!("an inner list")
        };
        let request = rfc_request(&RFC_HEADERS, br#"{"hello": "world"}"#);
        let base = signature_base(covered, |n, _| request.component(n), false).unwrap();
        assert_eq!(
            base,
            "\"date\": Tue, 20 Apr 2021 02:07:55 GMT\n\
             \"@method\": POST\n\
             \"@path\": /foo\n\
             \"@authority\": example.com\n\
             \"content-type\": application/json\n\
             \"content-length\": 18\n\
             \"@signature-params\": (\"date\" \"@method\" \"@path\" \"@authority\" \"content-type\" \"content-length\");created=1618884473;keyid=\"test-key-ed25519\""
        );
        let (seed, public) = rfc_key();
        let key = SigningKey::from_seed("test-key-ed25519", &seed).unwrap();
        assert_eq!(key.public_key(), public);
        let expected = b64("wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==");
        assert_eq!(key.pair.sign(base.as_bytes()).to_bytes(), &expected[..]);
        let signed = Signed {
            key_id: "test-key-ed25519".into(),
            created: 1618884473,
            expires: None,
            nonce: String::new(),
            base: base.clone(),
            signature: expected.clone(),
        };
        assert_eq!(signed.verify(&public), Ok(()));
        assert_eq!(check_digest(&request), Ok(()));
        let changed = rfc_request(&RFC_HEADERS, br#"{"hello": "World"}"#);
        assert_eq!(
            check_digest(&changed),
            Err(SignatureRefusal::DigestMismatch)
        );
    }

    /// The RFC's own request lacks a nonce, `@query` and `content-digest`:
    /// the hub's profile refuses it before looking at the key.
    #[test]
    fn the_profile_asks_for_more_than_the_rfc_example() {
        let mut headers = RFC_HEADERS.to_vec();
        headers.push(("signature-input", r#"sig-b26=("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519""#));
        headers.push(("signature", "sig-b26=:wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==:"));
        let request = rfc_request(&headers, br#"{"hello": "world"}"#);
        assert_eq!(
            Signed::read(&request).unwrap_err(),
            SignatureRefusal::Incomplete
        );
    }

    #[test]
    fn a_request_signed_by_the_hub_profile_reads_and_verifies() {
        let (key, _) = SigningKey::generate("gp-2026").unwrap();
        let unsigned = Request {
            method: "GET",
            authority: "hub.example",
            path: "/hub/v1/people/P1",
            query: Some("purpose=gp-wellbeing-checks"),
            headers: &[],
            body: b"",
        };
        let signed = key.sign_request(&unsigned, (1_800_000_000, "n-1")).unwrap();
        assert_eq!(
            signed.signature_input,
            r#"hub=("@method" "@path" "@query" "content-digest");created=1800000000;keyid="gp-2026";nonce="n-1";alg="ed25519""#
        );
        let headers = [
            ("content-digest", signed.content_digest.as_str()),
            ("signature-input", signed.signature_input.as_str()),
            ("signature", signed.signature.as_str()),
        ];
        let request = Request {
            headers: &headers,
            ..unsigned
        };
        let read = Signed::read(&request).unwrap();
        assert_eq!(
            (read.key_id.as_str(), read.created, read.nonce.as_str()),
            ("gp-2026", 1_800_000_000, "n-1")
        );
        assert_eq!(read.verify(&key.public_key()), Ok(()));
        assert_eq!(check_digest(&request), Ok(()));
        let (other, _) = SigningKey::generate("gp-2026").unwrap();
        assert_eq!(
            read.verify(&other.public_key()),
            Err(SignatureRefusal::BadSignature)
        );
        // Another query is another request.
        let moved = Request {
            query: Some("purpose=housing-support"),
            ..request
        };
        assert_eq!(
            Signed::read(&moved).unwrap().verify(&key.public_key()),
            Err(SignatureRefusal::BadSignature)
        );
    }

    /// Parameters are signed in the order they were sent, whatever it is
    /// (the Python client sends `keyid` before `nonce`, others after).
    #[test]
    fn parameters_keep_the_order_they_came_in() {
        let (key, _) = SigningKey::generate("k").unwrap();
        let digest = content_digest(b"");
        let input = r#"pyhms=("@method" "@path" "@query" "content-digest");alg="ed25519";nonce="x";created=5;keyid="k""#;
        let dict: Dictionary = Parser::new(input).parse().unwrap();
        let ListEntry::InnerList(covered) = &dict[0] else {
            panic!()
        };
        let headers = [("content-digest", digest.as_str())];
        let unsigned = Request {
            method: "GET",
            authority: "h",
            path: "/p",
            query: None,
            headers: &headers,
            body: b"",
        };
        let base = signature_base(covered, |n, _| unsigned.component(n), false).unwrap();
        assert!(base.ends_with(r#""@signature-params": ("@method" "@path" "@query" "content-digest");alg="ed25519";nonce="x";created=5;keyid="k""#), "{base}");
        assert!(
            base.contains("\"@query\": ?\n"),
            "an absent query is a lone '?': {base}"
        );
        let signature = format!(
            "pyhms=:{}:",
            base64::engine::general_purpose::STANDARD
                .encode(key.pair.sign(base.as_bytes()).to_bytes())
        );
        let headers = [
            ("content-digest", digest.as_str()),
            ("signature-input", input),
            ("signature", &signature),
        ];
        let request = Request {
            headers: &headers,
            ..unsigned
        };
        assert_eq!(
            Signed::read(&request).unwrap().verify(&key.public_key()),
            Ok(())
        );
    }

    #[test]
    fn the_window_is_five_minutes_back_and_thirty_seconds_ahead() {
        let at = |created, expires| Signed {
            key_id: "k".into(),
            created,
            expires,
            nonce: "n".into(),
            base: String::new(),
            signature: Vec::new(),
        };
        let now = 1_000_000;
        assert_eq!(at(now - MAX_AGE, None).check_time(now), Ok(()));
        assert_eq!(
            at(now - MAX_AGE - 1, None).check_time(now),
            Err(SignatureRefusal::Stale)
        );
        assert_eq!(at(now + MAX_AHEAD, None).check_time(now), Ok(()));
        assert_eq!(
            at(now + MAX_AHEAD + 1, None).check_time(now),
            Err(SignatureRefusal::Future)
        );
        assert_eq!(
            at(now - 10, Some(now - 1)).check_time(now),
            Err(SignatureRefusal::Expired)
        );
    }

    #[test]
    fn malformed_signatures_are_refused_with_their_reason() {
        let digest = content_digest(b"");
        let cases: [(&str, &str, &str); 6] = [
            ("hub=(\"@method\"", "hub=:AA==:", "the Signature-Input header is not a structured field dictionary (RFC 8941)"),
            ("a=(\"@method\"), b=(\"@path\")", "a=:AA==:, b=:AA==:", "the Signature-Input header must hold exactly one signature, as a list of components"),
            ("hub=(\"@method\")", "other=:AA==:", "the Signature header must hold the signature the Signature-Input header labels, as a byte sequence"),
            (r#"hub=("@method" "@path" "@query" "content-digest");created=1;keyid="k";nonce="n";alg="rsa-pss-sha512""#, "hub=:AA==:", "the hub accepts only Ed25519 signatures: alg must be \"ed25519\""),
            (r#"hub=("@method" "@path" "@query" "content-digest");created=1;keyid="k""#, "hub=:AA==:", "the signature must carry a 'nonce' parameter of 1 to 128 characters"),
            (r#"hub=("@method" "@path" "@query" "content-digest" "x-absent");created=1;keyid="k";nonce="n""#, "hub=:AA==:", "the signature covers a component the message does not have"),
        ];
        for (input, signature, reason) in cases {
            let headers = [
                ("content-digest", digest.as_str()),
                ("signature-input", input),
                ("signature", signature),
            ];
            let request = Request {
                method: "GET",
                authority: "h",
                path: "/",
                query: None,
                headers: &headers,
                body: b"",
            };
            assert_eq!(
                Signed::read(&request).unwrap_err(),
                SignatureRefusal::Malformed(reason),
                "{input}"
            );
        }
        let request = Request {
            method: "GET",
            authority: "h",
            path: "/",
            query: None,
            headers: &[],
            body: b"",
        };
        assert_eq!(
            Signed::read(&request).unwrap_err(),
            SignatureRefusal::Missing
        );
        assert_eq!(check_digest(&request), Err(SignatureRefusal::DigestMissing));
        let unknown = [("content-digest", "md5=:AAAA:")];
        assert_eq!(
            check_digest(&Request {
                headers: &unknown,
                ..request
            }),
            Err(SignatureRefusal::DigestMissing)
        );
    }

    #[test]
    fn a_response_signature_covers_status_type_digest_and_its_request() {
        let (key, _) = SigningKey::generate("hub-1").unwrap();
        let digest = content_digest(b"");
        let headers = [("content-digest", digest.as_str())];
        let request = Request {
            method: "GET",
            authority: "hub.example",
            path: "/api/hub/v1/people/P/person",
            query: Some("purpose=x"),
            headers: &headers,
            body: b"",
        };
        let signed = key
            .sign_response(200, "application/json", b"{}", Some(&request), (7, "r"))
            .unwrap();
        assert_eq!(signed.content_digest, content_digest(b"{}"));
        assert_eq!(
            signed.signature_input,
            r#"hub=("@status" "content-type" "content-digest" "@method";req "@path";req "@query";req "content-digest";req);created=7;keyid="hub-1";nonce="r";alg="ed25519""#
        );
        let dict: Dictionary = Parser::new(&signed.signature_input).parse().unwrap();
        let ListEntry::InnerList(covered) = &dict[0] else {
            panic!()
        };
        let answered = |other: &Request<'_>| {
            let base = signature_base(
                covered,
                |n, req| match (n, req) {
                    (n, true) => other.component(n),
                    ("@status", _) => Some("200".into()),
                    ("content-type", _) => Some("application/json".into()),
                    ("content-digest", _) => Some(signed.content_digest.clone()),
                    _ => None,
                },
                true,
            )
            .unwrap();
            let sig: Dictionary = Parser::new(&signed.signature).parse().unwrap();
            let ListEntry::Item(item) = &sig[0] else {
                panic!()
            };
            Signed {
                key_id: "hub-1".into(),
                created: 7,
                expires: None,
                nonce: "r".into(),
                base,
                signature: item.bare_item.as_byte_sequence().unwrap().to_vec(),
            }
            .verify(&key.public_key())
        };
        assert_eq!(answered(&request), Ok(()));
        // Passed off as the answer to another question, it does not verify.
        let other = Request {
            query: Some("purpose=y"),
            ..request
        };
        assert_eq!(answered(&other), Err(SignatureRefusal::BadSignature));
        // Without a request (an answer to nothing signed), the response alone.
        let alone = key
            .sign_response(400, "application/json", b"{}", None, (7, "r"))
            .unwrap();
        assert!(alone
            .signature_input
            .starts_with(r#"hub=("@status" "content-type" "content-digest");"#));
    }

    /// A weak key (a point of small order) would verify signatures nobody
    /// made: it is not a key the hub checks with.
    #[test]
    fn weak_keys_verify_nothing() {
        let identity = {
            let mut k = [0u8; 32];
            k[0] = 1;
            k
        };
        assert!(usable_key(&identity).is_none());
        assert!(usable_key(&[0u8; 32]).is_none());
        let (key, _) = SigningKey::generate("k").unwrap();
        assert!(usable_key(&key.public_key()).is_some());
        // A forgery against the identity key: R the identity point, S zero.
        let mut forged = vec![0u8; 64];
        forged[0] = 1;
        let signed = Signed {
            key_id: "k".into(),
            created: 0,
            expires: None,
            nonce: "n".into(),
            base: "anything".into(),
            signature: forged,
        };
        assert_eq!(
            signed.verify(&identity),
            Err(SignatureRefusal::BadSignature)
        );
    }
}
