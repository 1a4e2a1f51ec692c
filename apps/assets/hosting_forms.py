"""Panel forms for a Linux hosting's settings, one per change, each naming the service it feeds
(`apps.assets.hosting_services`). They hold types and choices only; the services decide."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms

from apps.assets import hosting_services as services
from apps.assets.hosting import APCU_SIZE_MAX, APCU_SIZE_MIN, PHP_MEMORY_LIMITS


def on_off_field(label: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label, choices=[("true", "On"), ("false", "Off")], coerce=lambda value: value == "true"
    )


class HostingForm(forms.Form):
    """A form for one service: `service` is called with `service_kwargs()` (plus principal and asset id)."""

    service: Callable[..., Any]
    success: str = "The change is being applied."

    def __init__(self, *args, asset, **kwargs):
        kwargs.setdefault("prefix", self.prefix_name)
        super().__init__(*args, **kwargs)
        self.asset = asset

    prefix_name = ""

    def service_kwargs(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class PhpVersionForm(HostingForm):
    service = staticmethod(services.set_php_version)
    prefix_name = "php"
    success = "The PHP version is being changed."
    version = forms.ChoiceField(label="PHP version")

    def __init__(self, *args, asset, **kwargs):
        super().__init__(*args, asset=asset, **kwargs)
        self.fields["version"].choices = [(v, v) for v in services.available_php_versions(asset)]
        self.fields["version"].initial = asset.details.get("php_version")


class MemoryLimitForm(HostingForm):
    service = staticmethod(services.set_php_memory_limit)
    prefix_name = "memory"
    success = "PHP's memory limit is being changed."
    memory_limit = forms.TypedChoiceField(
        label="PHP memory limit (MB)", choices=[(str(v), f"{v} MB") for v in PHP_MEMORY_LIMITS], coerce=int
    )


class ApcuForm(HostingForm):
    service = staticmethod(services.set_apcu)
    prefix_name = "apcu"
    success = "The APCu setting is being changed."
    enabled = on_off_field("APCu")
    apcu_size = forms.IntegerField(
        label="APCu size (MB)",
        widget=forms.NumberInput(attrs={"min": APCU_SIZE_MIN, "max": APCU_SIZE_MAX}),
        help_text=f"{APCU_SIZE_MIN} to {APCU_SIZE_MAX} MB.",
    )


class ToggleForm(HostingForm):
    enabled = forms.TypedChoiceField(choices=[("true", "On"), ("false", "Off")], coerce=lambda value: value == "true")


class GzipForm(ToggleForm):
    service = staticmethod(services.set_gzip_compression)
    prefix_name = "gzip"
    success = "Gzip compression is being switched."


class FtpForm(ToggleForm):
    service = staticmethod(services.set_ftp_enabled)
    prefix_name = "ftp"
    success = "FTP access is being switched."


class SshForm(ToggleForm):
    service = staticmethod(services.set_ssh_enabled)
    prefix_name = "ssh"
    success = "SSH access is being switched."


class Http2Form(ToggleForm):
    service = staticmethod(services.set_http2)
    prefix_name = "http2"
    success = "HTTP/2 is being switched."
    site_name = forms.CharField(widget=forms.HiddenInput)


class SubsiteForm(HostingForm):
    service = staticmethod(services.add_subsite)
    prefix_name = "subsite"
    success = "The subsite is being added."
    domain_name = forms.CharField(label="Subsite domain name", max_length=253, help_text="e.g. blog.example.com")
    path = forms.CharField(
        label="Folder", required=False, max_length=255, help_text="In the home; empty: /subsites/<domain name>."
    )


class SubsiteDeleteForm(HostingForm):
    service = staticmethod(services.delete_subsite)
    prefix_name = "subsite_delete"
    success = "The subsite is being removed (its files stay)."
    site_name = forms.CharField(widget=forms.HiddenInput)


class HostHeaderForm(HostingForm):
    service = staticmethod(services.add_host_header)
    prefix_name = "host_header"
    success = "The host header is being added."
    site_name = forms.CharField(widget=forms.HiddenInput)
    domain_name = forms.CharField(label="Host name", max_length=253, help_text="e.g. alias.example.org")


class HostHeaderDeleteForm(HostingForm):
    service = staticmethod(services.delete_host_header)
    prefix_name = "host_header_delete"
    success = "The host header is being removed."
    site_name = forms.CharField(widget=forms.HiddenInput)
    domain_name = forms.CharField(widget=forms.HiddenInput)


class SshKeyForm(HostingForm):
    service = staticmethod(services.add_ssh_key)
    prefix_name = "ssh_key"
    success = "The SSH key is being added."
    public_key = forms.CharField(
        label="Public key",
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        help_text="One OpenSSH public key, e.g. the contents of ~/.ssh/id_ed25519.pub.",
    )


class SshKeyDeleteForm(HostingForm):
    service = staticmethod(services.delete_ssh_key)
    prefix_name = "ssh_key_delete"
    success = "The SSH key is being removed."
    fingerprint = forms.CharField(widget=forms.HiddenInput)


class TaskForm(HostingForm):
    service = staticmethod(services.add_scheduled_task)
    prefix_name = "task"
    success = "The scheduled task is being added."
    enabled = on_off_field("Enabled")
    cron_expression = forms.CharField(
        label="Schedule", max_length=100, help_text="minute hour day month weekday, e.g. */15 * * * *"
    )
    script_location = forms.CharField(label="Script", max_length=255, help_text="In the home, e.g. /scripts/job.sh")


class TaskEditForm(TaskForm):
    service = staticmethod(services.update_scheduled_task)
    prefix_name = "task_edit"
    success = "The scheduled task is being changed."
    task_id = forms.CharField(widget=forms.HiddenInput)


class TaskDeleteForm(HostingForm):
    service = staticmethod(services.delete_scheduled_task)
    prefix_name = "task_delete"
    success = "The scheduled task is being removed."
    task_id = forms.CharField(widget=forms.HiddenInput)


# The panel's hosting actions: the URL's `action` -> its form.
HOSTING_FORMS: dict[str, type[HostingForm]] = {
    "php_version": PhpVersionForm,
    "memory_limit": MemoryLimitForm,
    "apcu": ApcuForm,
    "gzip": GzipForm,
    "ftp": FtpForm,
    "ssh": SshForm,
    "http2": Http2Form,
    "subsite": SubsiteForm,
    "subsite_delete": SubsiteDeleteForm,
    "host_header": HostHeaderForm,
    "host_header_delete": HostHeaderDeleteForm,
    "ssh_key": SshKeyForm,
    "ssh_key_delete": SshKeyDeleteForm,
    "task": TaskForm,
    "task_edit": TaskEditForm,
    "task_delete": TaskDeleteForm,
}
