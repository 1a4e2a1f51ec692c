"""Panel forms for accounts. They collect input; `apps.accounts.services` decides what is allowed."""

from django import forms

from apps.assets.forms import PASSWORD_HELP


def servicepack_choices(servicepacks) -> list[tuple[int, str]]:
    return [(pack.pk, pack.name) for pack in servicepacks]


class AccountCreateForm(forms.Form):
    identifier = forms.CharField(
        label="Domain name",
        max_length=253,
        help_text="The customer's domain, e.g. example.com. It names the account and its website.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}),
    )
    servicepack_id = forms.TypedChoiceField(label="Servicepack", coerce=int)
    ftp_password = forms.CharField(
        label="FTP password",
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=f"Optional; you can set it later. {PASSWORD_HELP}",
    )

    def __init__(self, *args, servicepacks, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["servicepack_id"].choices = servicepack_choices(servicepacks)


class ChangeServicepackForm(forms.Form):
    servicepack_id = forms.TypedChoiceField(
        label="New servicepack",
        coerce=int,
        help_text="The account's assets must fit the new pack: not more of a type than it allows, none bigger.",
    )

    def __init__(self, *args, servicepacks, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["servicepack_id"].choices = servicepack_choices(servicepacks)
