"""Operator admin for provisioning jobs: read-only (jobs are written by services and the worker); failed jobs can
be retried through `retry_job`, as the operator acting for the job's reseller."""

from __future__ import annotations

from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html

from apps.core.admin import operator_principal, run_for_each
from apps.provisioning.models import ProvisioningJob
from apps.provisioning.services import retry_job

# The admin page of a job's target, by `target_type`.
TARGET_ADMIN = {"account": "admin:accounts_account_change", "asset": "admin:assets_asset_change"}


@admin.register(ProvisioningJob)
class ProvisioningJobAdmin(admin.ModelAdmin):
    list_display = ("created_at", "action", "target", "reseller", "status", "attempts", "started_at", "finished_at")
    list_filter = ("status", "action", "reseller")
    list_select_related = ("reseller",)
    search_fields = ("^target_repr", "=target_id")
    show_full_result_count = False
    actions = ("retry_selected",)
    fields = (
        "id",
        "reseller",
        "action",
        "target",
        "status",
        "attempts",
        "actor_repr",
        "payload",
        "resource_links",
        "error",
        "estimate",
        "created_at",
        "started_at",
        "finished_at",
        "lease_expires_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_retry_permission(self, request) -> bool:
        # Jobs are read-only in admin, but retrying one is a change: it needs the model's change permission.
        return request.user.has_perm("provisioning.change_provisioningjob")

    @admin.display(description="Target", ordering="target_repr")
    def target(self, obj: ProvisioningJob) -> str:
        text = f"{obj.target_type} {obj.target_repr or obj.target_id}"
        try:
            url = reverse(TARGET_ADMIN[obj.target_type], args=[obj.target_id])
        except (KeyError, NoReverseMatch):
            return text
        return format_html('<a href="{}">{}</a>', url, text)

    @admin.action(description="Retry selected failed jobs", permissions=["retry"])
    def retry_selected(self, request, queryset):
        run_for_each(
            self,
            request,
            queryset.select_related("reseller"),
            lambda job: retry_job(principal=operator_principal(request, job.reseller), job_id=job.pk),
            done="Retrying {count} {items}.",
        )
