from django import forms

from apps.dns.models import RecordType


class RecordForm(forms.Form):
    """A record to add; the service checks it per type (apps.dns.records) and names the field that is wrong."""

    type = forms.ChoiceField(choices=[(t, t) for t in RecordType.values])
    record_name = forms.CharField(required=False, max_length=253, help_text="Empty or @ for the domain itself.")
    ttl = forms.IntegerField(required=False, min_value=60, max_value=86400, initial=3600, label="TTL")
    content = forms.CharField(required=False, max_length=4000)
    priority = forms.IntegerField(required=False, min_value=0, max_value=9999, help_text="MX and SRV.")
    service = forms.CharField(required=False, max_length=63, help_text="SRV only, e.g. _sip.")
    protocol = forms.CharField(required=False, max_length=16, help_text="SRV only: TCP or UDP.")
    weight = forms.IntegerField(required=False, min_value=0, max_value=65535, help_text="SRV only.")
    port = forms.IntegerField(required=False, min_value=1, max_value=65535, help_text="SRV only.")
    target = forms.CharField(required=False, max_length=253, help_text="SRV only.")

    def record_data(self) -> dict:
        return {key: value for key, value in self.cleaned_data.items() if value not in (None, "")}
