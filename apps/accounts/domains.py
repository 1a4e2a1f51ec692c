"""Account identifiers are domain names: validated, IDNA-encoded (stored as the ASCII A-label form), lowercased.

IDNA 2008 with UTS 46 mapping (the `idna` package), as browsers and registries use it: `straße.de` is
`xn--strae-oqa.de`, not Python's IDNA 2003 `strasse.de`, which is another domain.
"""

import re

import idna

from apps.core.errors import FieldProblem, ValidationFailed

LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def normalize_domain(value: str, *, field: str = "identifier") -> str:
    """Return the lowercased ASCII form of domain `value`, or raise `ValidationFailed` saying what is wrong."""

    def fail(message: str) -> ValidationFailed:
        return ValidationFailed.from_problems([FieldProblem("validation_failed", message, field)])

    if not isinstance(value, str):
        raise fail("Must be a domain name.")
    candidate = value.strip().rstrip(".").lower()
    if not candidate:
        raise fail("A domain name is required.")
    if len(candidate) > 253:
        raise fail("A domain name is at most 253 characters.")
    try:
        ascii_form = idna.encode(candidate, uts46=True).decode("ascii").lower()
    except (idna.IDNAError, UnicodeError) as exc:
        raise fail(f"'{value}' is not a valid domain name.") from exc
    labels = ascii_form.split(".")
    if len(labels) < 2:
        raise fail("A domain name needs at least two labels, e.g. example.com.")
    if len(ascii_form) > 253:
        raise fail("A domain name is at most 253 characters.")
    if not all(LABEL.match(label) for label in labels):
        raise fail(f"'{value}' is not a valid domain name: use letters, digits and hyphens between the dots.")
    if labels[-1].isdigit():
        raise fail("The top-level domain cannot be numeric.")
    return ascii_form


def display_domain(ascii_form: str) -> str:
    """The Unicode form of a stored domain, for people."""
    try:
        return idna.decode(ascii_form)
    except (idna.IDNAError, UnicodeError):
        return ascii_form
