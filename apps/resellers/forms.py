"""Panel forms for managing members. Rules live in the services."""

from django import forms

from apps.core.principal import Level


class MemberInviteForm(forms.Form):
    email = forms.EmailField(
        label="E-mail address",
        help_text="The e-mail address of an existing user. They sign in with their own password.",
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    level = forms.ChoiceField(
        label="Level",
        choices=Level.choices,
        initial=Level.READ,
        help_text=f"{Level.READ.label}: see everything. "
        f"{Level.WRITE.label}: also create and change accounts and assets. "
        f"{Level.FULL.label}: also manage API access and members.",
    )


class MemberLevelForm(forms.Form):
    level = forms.ChoiceField(label="Level", choices=Level.choices)
