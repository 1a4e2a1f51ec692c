"""Operator admin for assets: created, resized, re-passworded and deleted through the asset services; details shown
without password hashes; the list stays fast at 1M assets (no full count, no per-row query)."""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin
from django.utils.html import format_html

from apps.assets import services
from apps.assets.kinds import kind_of
from apps.assets.models import Asset
from apps.core.admin import ServiceAdminMixin
from apps.core.errors import DomainError


class AssetAddForm(forms.ModelForm):
    # Not the model's `name` (the provisioned name the service derives), but the field each kind asks for.
    name = forms.CharField(
        required=False,
        max_length=255,
        help_text="Linux hosting: the domain name (empty: the account's domain); MySQL: the database name; "
        "mailbox: the e-mail address.",
    )
    max_size = forms.IntegerField(
        label="Max size (MB)", required=False, min_value=1, help_text="Empty: the servicepack's limit."
    )
    password = forms.CharField(
        required=False,
        strip=False,
        widget=forms.PasswordInput,
        help_text="FTP password for a Linux hosting; required for a MySQL database and a mailbox.",
    )

    class Meta:
        model = Asset
        # The model fields the form fills; `name` and `password` are only handed to the service.
        fields = ("account", "asset_type", "max_size")


class AssetChangeForm(forms.ModelForm):
    password = forms.CharField(
        label="New password",
        required=False,
        strip=False,
        widget=forms.PasswordInput,
        help_text="Empty: keep the current password.",
    )

    class Meta:
        model = Asset
        fields = ("max_size",)

    def clean(self):
        cleaned_data = super().clean()
        if cleaned_data.get("password") and "max_size" in self.changed_data:
            raise forms.ValidationError(
                "Change the size and the password in two saves: each starts a provisioning job, "
                "and an asset runs one job at a time."
            )
        return cleaned_data


@admin.register(Asset)
class AssetAdmin(ServiceAdminMixin, admin.ModelAdmin):
    list_display = ("name", "asset_type", "account", "reseller_name", "status", "usage", "created_at")
    list_filter = ("asset_type", "status", "reseller")
    list_select_related = ("account", "reseller")
    search_fields = ("^name", "=account__identifier")
    ordering = ("-id",)
    show_full_result_count = False
    autocomplete_fields = ("account",)
    service_field_map = {
        "domain_name": "name",
        "database_name": "name",
        "email_address": "name",
        "ftp_password": "password",
    }
    add_fields = ("account", "asset_type", "name", "max_size", "password")
    actions = ["measure_usage_now"]
    change_fields = (
        "name",
        "asset_type",
        "account",
        "reseller_name",
        "status",
        "max_size",
        "usage",
        "usage_measured_at",
        "public_details",
        "password",
        "created_at",
        "updated_at",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("account", "reseller")

    @admin.action(description="Measure usage of selected assets now")
    def measure_usage_now(self, request, queryset):
        # Reading sizes changes nothing on the servers, so it runs here rather than as a job; not audited either.
        from apps.provisioning.usage import MEASURABLE, measure_usage

        measured = measure_usage(queryset.filter(status__in=MEASURABLE).select_related("account"))
        self.message_user(request, f"Measured {len(measured)} of {queryset.count()} selected asset(s).")

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = AssetChangeForm if obj else AssetAddForm
        kwargs.update(form=form, fields=form.Meta.fields)
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request, obj=None):
        return self.change_fields if obj else self.add_fields

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return tuple(f for f in self.change_fields if f not in ("max_size", "password"))

    @admin.display(description="Reseller", ordering="reseller__name")
    def reseller_name(self, obj: Asset) -> str:
        return obj.reseller.name

    @admin.display(description="Usage")
    def usage(self, obj: Asset) -> str:
        percent = round(100 * obj.actual_size / obj.max_size) if obj.max_size else 0
        return f"{obj.actual_size} / {obj.max_size} MB ({percent}%)"

    @admin.display(description="Details")
    def public_details(self, obj: Asset) -> str:
        try:
            details = kind_of(obj.asset_type).public_details(obj.details)
        except DomainError:
            details = {}  # an unknown kind: show nothing rather than risk showing a hash
        return format_html("<pre>{}</pre>", json.dumps(details, indent=2, sort_keys=True))

    # -- through the services -----------------------------------------------------------------------------------------

    def create_through_service(self, request, obj, form):
        data = form.cleaned_data
        account, asset_type = data["account"], data["asset_type"]
        fields = {services.kind_field(asset_type): data["name"]} if data.get("name") else {}
        return services.create_asset(
            principal=self.principal(request, account.reseller),
            account_id=account.pk,
            asset_type=asset_type,
            fields=fields,
            password=data.get("password") or None,
            max_size=data.get("max_size"),
        )

    def change_through_service(self, request, obj, form):
        principal = self.principal(request, obj.reseller)
        results = []
        if "max_size" in form.changed_data:
            results.append(
                services.resize_asset(principal=principal, asset_id=obj.pk, max_size=form.cleaned_data["max_size"])
            )
        if form.cleaned_data.get("password"):
            results.append(
                services.change_asset_password(
                    principal=principal, asset_id=obj.pk, password=form.cleaned_data["password"]
                )
            )
        return results

    def delete_through_service(self, request, obj):
        return services.delete_asset(principal=self.principal(request, obj.reseller), asset_id=obj.pk)
