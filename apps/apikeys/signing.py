"""The server's side of the HMAC scheme: the client's signing (`paneel_client.signing`, one implementation of the
documented string to sign), and the canonical forms of a target the server accepts a signature over.

Widely used clients of the reference API build the string to sign in other ways than documented: without
percent-decoding the target first, without lowercasing it, or percent-encoding it as RFC 3986 does (PHP's
`rawurlencode`, .NET's `Uri.EscapeDataString`: a space as `%20`, `~` kept, `'()*` encoded). A signature is accepted
over each combination of these three choices and over nothing else; every form covers the whole method, target,
timestamp, nonce and body digest, and every one is computed and compared, so timing tells nothing.
"""

from __future__ import annotations

import hmac

from paneel_client.signing import (  # noqa: F401
    NONCE,
    SCHEME,
    UNRESERVED,
    ParsedHeader,
    authorization_header,
    body_digest,
    canonical_targets,
    form_decode,
    form_encode,
    parse_header,
    sign,
    string_to_sign,
)

RFC3986_UNRESERVED = UNRESERVED | frozenset(b"~")


def rfc3986_encode(data: bytes) -> str:
    """RFC 3986 percent-encoding: unreserved bytes (A-Z a-z 0-9 - _ . ~) as they are, all others upper-case %XX."""
    return "".join(chr(byte) if byte in RFC3986_UNRESERVED else f"%{byte:02X}" for byte in data)


def lowercased(data: bytes) -> bytes:
    text = data.decode("utf-8", errors="surrogateescape")
    return text.lower().encode("utf-8", errors="surrogateescape")


def accepted_targets(target: str) -> list[str]:
    """Every encoded form of the raw `target` a signature may be made over, the documented one first:
    (percent-decoded first, or as sent) x (lowercased, or not) x (form-encoded, or RFC 3986-encoded)."""
    decoded = form_decode(target)
    as_sent = target.encode("utf-8", errors="surrogateescape")
    forms: list[str] = []
    for source in (decoded, as_sent):
        for text in (lowercased(source), source):
            for encode in (form_encode, rfc3986_encode):
                encoded = encode(text)
                if encoded not in forms:
                    forms.append(encoded)
    return forms


def signature_matches(*, secret: str, parsed: ParsedHeader, method: str, target: str, body: bytes) -> bool:
    """True when the signature was made over one of the accepted forms of `target` (constant time)."""
    matched = False
    for encoded in accepted_targets(target):
        message = string_to_sign(
            key=parsed.key,
            method=method,
            encoded_target=encoded,
            timestamp=str(parsed.timestamp),
            nonce=parsed.nonce,
            body=body,
        )
        # Every form is compared, so timing does not tell which one matched.
        matched |= hmac.compare_digest(sign(secret, message).encode(), parsed.signature.encode())
    return matched
