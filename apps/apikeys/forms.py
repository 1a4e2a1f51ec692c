"""Panel forms for API keys and OAuth applications. The services validate; these only collect."""

from django import forms

from apps.apikeys.oauth_services import CLIENT_TYPES, GRANT_TYPES
from apps.core.principal import Level
from apps.core.timestamps import UtcDateTimeField


class ApiKeyCreateForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=100,
        required=False,
        help_text="What uses this key, e.g. 'billing system'.",
    )
    level = forms.ChoiceField(
        label="Level",
        choices=Level.choices,
        initial=Level.READ,
        help_text="Give a program the lowest level it needs.",
    )
    expires_at = UtcDateTimeField(
        label="Expires",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="Optional (UTC). Leave empty for a key that stays valid until revoked.",
    )


class OAuthApplicationForm(forms.Form):
    name = forms.CharField(label="Name", max_length=255)
    client_type = forms.ChoiceField(label="Client type", choices=CLIENT_TYPES, widget=forms.RadioSelect)
    authorization_grant_type = forms.ChoiceField(label="Grant type", choices=GRANT_TYPES, widget=forms.RadioSelect)
    level = forms.ChoiceField(
        label="Level",
        choices=Level.choices,
        initial=Level.READ,
        required=False,
        help_text="The most its tokens may do, whoever signs in: give an application the lowest level it needs.",
    )
    redirect_uris = forms.CharField(
        label="Redirect URIs",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        help_text="One per line; needed for the authorization code flow. HTTPS only in production.",
    )

    def clean_level(self):
        # Left out: what it was (editing) or the lowest level (new).
        return self.cleaned_data.get("level") or self.initial.get("level") or Level.READ

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:  # the client type is chosen once: it decides whether the application has a secret
            del self.fields["client_type"]
