"""Operator admin for hosting accounts: every change goes through the account services, as the operator acting for
the account's reseller; the list stays fast at 100k accounts (no full count, no per-row query)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from apps.accounts import services
from apps.accounts.models import Account
from apps.assets.models import Asset
from apps.core.admin import ServiceAdminMixin, related_count, run_for_each
from apps.servers.models import Server
from apps.servicepacks.models import ServicePack


class AccountAddForm(forms.ModelForm):
    ftp_password = forms.CharField(
        label="FTP password",
        required=False,
        strip=False,
        widget=forms.PasswordInput,
        help_text="Optional: the FTP password of the Linux hosting made with the account.",
    )
    web_server = forms.ModelChoiceField(
        label="Web server",
        queryset=Server.objects.none(),
        required=False,
        empty_label="The least loaded active web server",
        help_text="Where the account's Linux hostings live (its worker runs their jobs).",
    )

    class Meta:
        model = Account
        fields = ("reseller", "servicepack", "identifier")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only active packs are offered (the service also refuses a pack restricted to other resellers).
        self.fields["servicepack"].queryset = ServicePack.objects.filter(is_active=True)
        self.fields["web_server"].queryset = Server.objects.filter(is_active=True, web=True).order_by("name")


class AssetInline(admin.TabularInline):
    """The account's assets, read-only here: each links to its own page, where it is changed."""

    model = Asset
    fk_name = "account"
    fields = ("name", "asset_type", "max_size", "actual_size", "status")
    readonly_fields = fields
    show_change_link = True
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Account)
class AccountAdmin(ServiceAdminMixin, admin.ModelAdmin):
    list_display = ("identifier", "reseller", "servicepack", "status", "asset_count", "created_at")
    list_filter = ("status", "servicepack", "reseller")
    list_select_related = ("reseller", "servicepack")
    search_fields = ("identifier",)
    ordering = ("-id",)
    show_full_result_count = False
    inlines = (AssetInline,)
    actions = ("suspend_selected", "unsuspend_selected")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(asset_count=related_count(Asset.objects, "account"))

    def get_inlines(self, request, obj):
        return self.inlines if obj else ()

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = AccountAddForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("reseller", "servicepack", "identifier", "ftp_password", "web_server")
        return ("identifier", "reseller", "servicepack", "status", "asset_count", "related", "created_at", "updated_at")

    def get_readonly_fields(self, request, obj=None):
        # Status changes only through actions and jobs; identifier and reseller never change.
        if obj is None:
            return ()
        return ("identifier", "reseller", "status", "asset_count", "related", "created_at", "updated_at")

    @admin.display(description="Assets")
    def asset_count(self, obj: Account) -> int:
        return obj.asset_count

    @admin.display(description="See also")
    def related(self, obj: Account) -> str:
        assets = reverse("admin:assets_asset_changelist") + f"?account__id__exact={obj.pk}"
        jobs = reverse("admin:provisioning_provisioningjob_changelist") + f"?target_type=account&target_id={obj.pk}"
        return format_html('<a href="{}">Assets</a> · <a href="{}">Provisioning jobs</a>', assets, jobs)

    # -- through the services -----------------------------------------------------------------------------------------

    def create_through_service(self, request, obj, form):
        data = form.cleaned_data
        return services.create_account(
            principal=self.principal(request, data["reseller"]),
            identifier=data["identifier"],
            servicepack=data["servicepack"],
            ftp_password=data.get("ftp_password") or None,
            servers={"web": data["web_server"]} if data.get("web_server") else None,
        )

    def change_through_service(self, request, obj, form):
        if "servicepack" not in form.changed_data:
            return None
        return services.change_servicepack(
            principal=self.principal(request, obj.reseller),
            account_id=obj.pk,
            servicepack=form.cleaned_data["servicepack"],
        )

    def delete_through_service(self, request, obj):
        return services.delete_account(principal=self.principal(request, obj.reseller), account_id=obj.pk)

    @admin.action(description="Suspend selected accounts", permissions=["change"])
    def suspend_selected(self, request, queryset):
        run_for_each(
            self,
            request,
            queryset.select_related("reseller"),
            lambda account: services.suspend_account(
                principal=self.principal(request, account.reseller), account_id=account.pk
            ),
            done="Suspension started for {count} {items}.",
        )

    @admin.action(description="Unsuspend selected accounts", permissions=["change"])
    def unsuspend_selected(self, request, queryset):
        run_for_each(
            self,
            request,
            queryset.select_related("reseller"),
            lambda account: services.unsuspend_account(
                principal=self.principal(request, account.reseller), account_id=account.pk
            ),
            done="Unsuspension started for {count} {items}.",
        )
