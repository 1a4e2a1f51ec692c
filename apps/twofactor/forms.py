"""Forms of the two-factor pages. Rules live in the services."""

from django import forms


class EnableForm(forms.Form):
    code = forms.CharField(
        label="Code from your app",
        max_length=12,
        help_text="After adding the key to your authenticator app, enter the 6-digit code it shows.",
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]*"}
        ),
    )


class DisableForm(forms.Form):
    password = forms.CharField(
        label="Your password",
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="To turn two-factor sign-in off, confirm it is you.",
    )
