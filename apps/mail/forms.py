"""Panel forms of the mail page. Types only: every rule is the mail services'."""

from __future__ import annotations

from django import forms

from apps.mail.models import AntiSpam


class AddressListField(forms.CharField):
    """E-mail addresses, one per line or separated by commas."""

    widget = forms.Textarea(attrs={"rows": 3})

    def to_python(self, value):
        text = super().to_python(value) or ""
        return [part.strip() for part in text.replace(",", "\n").splitlines() if part.strip()]


class AntiSpamForm(forms.Form):
    type = forms.ChoiceField(label="Anti-spam", choices=AntiSpam.choices)
    field_aliases = {"anti_spam": "type"}


class CatchAllForm(forms.Form):
    email_address = forms.CharField(label="Catch-all address", max_length=254)


class AliasForm(forms.Form):
    email_address = forms.CharField(label="Alias address", max_length=254)
    destinations = AddressListField(label="Destinations (one per line)")


class SmtpDomainForm(forms.Form):
    hostname = forms.CharField(label="Extra domain", max_length=253)


class RemoveForm(forms.Form):
    """Which address or host name to remove."""

    value = forms.CharField(max_length=254)


class AutoReplyForm(forms.Form):
    reply_enabled = forms.BooleanField(label="Answer incoming mail automatically", required=False)
    subject = forms.CharField(max_length=200, required=False)
    message = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False, strip=False)
    start_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    field_aliases = {"enabled": "reply_enabled"}


class AutoForwardForm(forms.Form):
    forward_enabled = forms.BooleanField(label="Forward incoming mail", required=False)
    email_addresses = AddressListField(label="Forward to (one per line)", required=False)
    copy_to_myself = forms.BooleanField(label="Keep a copy in this mailbox", required=False)
    field_aliases = {"enabled": "forward_enabled"}
