from django import forms


class WhitelistEntryForm(forms.Form):
    cidr = forms.CharField(
        label="Address or network",
        max_length=43,
        help_text="An IPv4 or IPv6 address (203.0.113.5) or network (203.0.113.0/24, 2001:db8::/48).",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    description = forms.CharField(label="Description", max_length=200, required=False)
