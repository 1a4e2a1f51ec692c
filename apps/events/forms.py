from django import forms


class WebhookForm(forms.Form):
    url = forms.CharField(
        label="Endpoint URL",
        max_length=2000,
        help_text="http or https; it may not resolve to a private, loopback or link-local address.",
        widget=forms.URLInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    event_types = forms.CharField(
        label="Event types",
        max_length=2000,
        initial="*",
        help_text="Comma-separated: exact types (account.create), a prefix (provisioning_job.*) or * for all.",
    )
    description = forms.CharField(label="Description", max_length=200, required=False)
    is_active = forms.BooleanField(label="Active (send deliveries)", required=False, initial=True)

    def clean_event_types(self) -> list[str]:
        return [part.strip() for part in self.cleaned_data["event_types"].replace("\n", ",").split(",") if part.strip()]

    @classmethod
    def initial_of(cls, webhook) -> dict:
        return {
            "url": webhook.url,
            "event_types": ", ".join(webhook.event_types),
            "description": webhook.description,
            "is_active": webhook.is_active,
        }
