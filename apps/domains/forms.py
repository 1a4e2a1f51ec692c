"""Panel forms for registering and transferring a domain. Types only: every rule is the domain services'."""

from __future__ import annotations

from django import forms

from apps.domains.services import REGISTRANT_FIELDS, REGISTRANT_REQUIRED

REGISTRANT_LABELS = {
    "first_name": "First name",
    "last_name": "Last name",
    "company_name": "Company",
    "enterprise_number": "Enterprise number",
    "address": "Street and number",
    "postal_code": "Postal code",
    "city": "City",
    "country_code": "Country code",
    "email": "E-mail address",
    "phone": "Phone",
    "fax": "Fax",
    "language_code": "Language code",
}
REGISTRANT_HELP = {
    "country_code": "Two letters (ISO 3166-1), e.g. BE.",
    "phone": "International form, e.g. +32.12345678.",
    "language_code": "e.g. nl, fr or en.",
}


class NameServerListField(forms.CharField):
    """Host names, one per line or separated by commas or spaces."""

    widget = forms.Textarea(attrs={"rows": 3})

    def to_python(self, value):
        text = super().to_python(value) or ""
        return [part for part in text.replace(",", " ").split() if part]


class DomainOrderForm(forms.Form):
    """The domain, its name servers and its registrant, as the registration and transfer services take them."""

    domain_name = forms.CharField(label="Domain name", max_length=253)
    name_servers = NameServerListField(
        label="Name servers (one per line)", required=False, help_text="Empty: this platform's name servers."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key in REGISTRANT_FIELDS:
            self.fields[key] = forms.CharField(
                label=REGISTRANT_LABELS[key],
                max_length=200,
                required=key in REGISTRANT_REQUIRED,
                help_text=REGISTRANT_HELP.get(key, ""),
                widget=forms.EmailInput() if key == "email" else None,
            )
        self.field_aliases = {f"registrant.{key}": key for key in REGISTRANT_FIELDS}

    def registrant(self) -> dict:
        return {key: self.cleaned_data[key] for key in REGISTRANT_FIELDS if self.cleaned_data.get(key)}


class DomainTransferForm(DomainOrderForm):
    auth_code = forms.CharField(
        label="Authorization code",
        max_length=255,
        help_text="The transfer code the current registrar gave you.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    field_order = ["domain_name", "auth_code", "name_servers"]
