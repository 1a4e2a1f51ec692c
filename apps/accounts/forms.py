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
        help_text="The account's assets must fit the new pack: not more of a type than it allows.",
    )
    asset_sizes = forms.ChoiceField(
        label="Asset sizes",
        choices=[
            ("follow", "Give each asset the new servicepack's maximum size (grows on an upgrade)"),
            ("keep", "Keep each asset's size (none may be bigger than the new servicepack allows)"),
        ],
        initial="follow",
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, servicepacks, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["servicepack_id"].choices = servicepack_choices(servicepacks)


class ContactForm(forms.Form):
    contact_name = forms.CharField(label="Contact name", max_length=200, required=False)
    contact_company = forms.CharField(label="Company", max_length=200, required=False)
    contact_email = forms.EmailField(
        label="E-mail", max_length=254, required=False, help_text="Where the welcome e-mail goes."
    )
    contact_phone = forms.CharField(
        label="Phone",
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    contact_notes = forms.CharField(
        label="Notes", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class WelcomeEmailForm(forms.Form):
    to = forms.EmailField(
        label="Send to",
        max_length=254,
        required=False,
        help_text="Leave empty to send it to the contact e-mail.",
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
