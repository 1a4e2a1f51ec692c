"""Panel forms for assets: one creation form per kind, resize and password. Limits are shown here (the widget's
`max`, the help text) but enforced by `apps.assets.services`."""

from django import forms

from apps.assets.kinds import DEFAULT_PHP_VERSION, PHP_VERSIONS
from apps.assets.passwords import FORBIDDEN_CHARACTERS, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH
from apps.servicepacks.models import AssetType

PASSWORD_HELP = (
    f"{PASSWORD_MIN_LENGTH} to {PASSWORD_MAX_LENGTH} characters with at least one letter and one digit; "
    f"no spaces and none of {' '.join(FORBIDDEN_CHARACTERS)}"
)


def password_field(label: str = "Password", *, required: bool = True, help_text: str = PASSWORD_HELP):
    return forms.CharField(
        label=label,
        required=required,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=help_text,
    )


def size_field(max_size_mb: int, pack_name: str, *, label: str = "Maximum size (MB)", initial: int | None = None):
    return forms.IntegerField(
        label=label,
        min_value=1,
        initial=initial if initial is not None else max_size_mb,
        widget=forms.NumberInput(attrs={"min": 1, "max": max_size_mb, "step": 1}),
        help_text=f"At most {max_size_mb} MB: the limit of servicepack '{pack_name}'.",
    )


class AssetForm(forms.Form):
    """Shared by the kinds' creation forms: the size field, limited to what the account's pack allows."""

    password_name = "password"

    def __init__(self, *args, account, item, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["max_size"] = size_field(item.max_size_mb, account.servicepack.name)

    def service_fields(self) -> dict:
        """The kind-specific fields, as `create_asset(fields=...)` takes them."""
        skip = {"max_size", self.password_name}
        return {name: value for name, value in self.cleaned_data.items() if name not in skip and value not in ("",)}


class LinuxHostingForm(AssetForm):
    password_name = "ftp_password"
    field_aliases = {"password": "ftp_password"}
    domain_name = forms.CharField(label="Domain name", max_length=253, help_text="The account's domain or a subdomain.")
    php_version = forms.ChoiceField(
        label="PHP version", choices=[(v, v) for v in PHP_VERSIONS], initial=DEFAULT_PHP_VERSION
    )
    ftp_password = password_field("FTP password", required=False, help_text=f"Optional. {PASSWORD_HELP}")

    def __init__(self, *args, account, item, **kwargs):
        super().__init__(*args, account=account, item=item, **kwargs)
        self.fields["domain_name"].initial = account.identifier


class MySQLForm(AssetForm):
    database_name = forms.CharField(
        label="Database name",
        max_length=64,
        help_text="Lowercase letters, digits and underscores. It is created with a prefix, e.g. pn42_shop.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}),
    )
    password = password_field("Database user's password")


class MailboxForm(AssetForm):
    email_address = forms.CharField(
        label="E-mail address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    password = password_field("Mailbox password")

    def __init__(self, *args, account, item, **kwargs):
        super().__init__(*args, account=account, item=item, **kwargs)
        self.fields["email_address"].help_text = f"An address on the account's domain, e.g. info@{account.identifier}."


CREATE_FORMS = {
    AssetType.LINUX_HOSTING: LinuxHostingForm,
    AssetType.MYSQL: MySQLForm,
    AssetType.MAILBOX: MailboxForm,
}


class ResizeForm(forms.Form):
    def __init__(self, *args, asset, item, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["max_size"] = size_field(
            item.max_size_mb, asset.account.servicepack.name, label="New maximum size (MB)", initial=asset.max_size
        )
        self.fields["max_size"].help_text += f" It uses {asset.actual_size} MB now."


class PasswordForm(forms.Form):
    """A new password, typed twice so a typo cannot lock the customer out."""

    field_aliases = {"ftp_password": "password"}

    password = password_field("New password")
    password_again = forms.CharField(
        label="New password again", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password") and cleaned.get("password") != cleaned.get("password_again"):
            self.add_error("password_again", "The two passwords differ.")
        return cleaned
