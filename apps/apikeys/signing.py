"""The server's name for the HMAC scheme: one implementation, shared with the client (`paneel_client.signing`)."""

from paneel_client.signing import (  # noqa: F401
    NONCE,
    SCHEME,
    ParsedHeader,
    authorization_header,
    body_digest,
    canonical_targets,
    form_decode,
    form_encode,
    parse_header,
    sign,
    signature_matches,
    string_to_sign,
)
