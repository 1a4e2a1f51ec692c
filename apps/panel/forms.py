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
