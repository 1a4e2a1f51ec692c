"""Forms of the panel's shell: signing in and switching reseller."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label="Username",
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username", "autocapitalize": "none"}),
    )


class SwitchResellerForm(forms.Form):
    reseller_id = forms.IntegerField(widget=forms.HiddenInput)


class TwoFactorCodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=40,
        help_text="The 6-digit code your authenticator app shows now, or one of your recovery codes.",
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "one-time-code", "autocapitalize": "none"}),
    )
