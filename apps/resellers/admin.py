"""Operator admin for resellers (the operator's own, audited plain saves) and their members (through services)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.html import format_html

from apps.accounts.models import Account
from apps.core.admin import (
    AuditedAdminMixin,
    ServiceAdminMixin,
    ServiceCallsMixin,
    ServiceRefused,
    related_count,
)
from apps.core.errors import DomainError
from apps.resellers import services
from apps.resellers.models import Membership, Reseller


def add_membership(model_admin: ServiceCallsMixin, request, *, reseller: Reseller, user, level: str) -> Membership:
    """`add_member` for the user the operator picked (the service finds users by e-mail)."""
    principal = model_admin.principal(request, reseller)
    label = f"Membership of {user}"
    membership = model_admin.call_service(
        request, lambda: services.add_member(principal=principal, email=user.email, level=level), label=label
    )
    if membership.user_id != user.pk:
        raise ServiceRefused(
            DomainError(f"Another user shares the e-mail address {user.email}; give {user} a unique one first."),
            label,
        )
    return membership


class ReadOnlyUser(forms.Widget):
    """Shows an existing member's user as text (no per-row query to render a select)."""

    def __init__(self, text: str):
        super().__init__()
        self.text = text

    def render(self, name, value, attrs=None, renderer=None):
        return format_html("<span>{}</span>", self.text)


class MembershipInlineForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and "user" in self.fields:
            # An existing membership keeps its user: the service changes levels, not users.
            self.fields["user"].disabled = True
            self.fields["user"].widget = ReadOnlyUser(str(self.instance.user))


class MembershipInline(admin.TabularInline):
    """Members of a reseller: added, re-levelled and removed through the member services on save."""

    model = Membership
    form = MembershipInlineForm
    fields = ("user", "level", "created_at")
    readonly_fields = ("created_at",)
    autocomplete_fields = ("user",)
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")


@admin.register(Reseller)
class ResellerAdmin(AuditedAdminMixin, ServiceCallsMixin, admin.ModelAdmin):
    list_display = ("name", "slug", "is_active", "account_count", "member_count", "created_at")
    list_filter = ("is_active",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("created_at",)
    inlines = (MembershipInline,)
    # Memberships are audited by their services, not again in the reseller's event.
    audit_formsets = False
    service_field_map = {"email": "user"}

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                account_count=related_count(Account.objects, "reseller"),
                member_count=related_count(Membership.objects, "reseller"),
            )
        )

    @admin.display(description="Accounts", ordering="account_count")
    def account_count(self, obj: Reseller) -> int:
        return obj.account_count

    @admin.display(description="Members", ordering="member_count")
    def member_count(self, obj: Reseller) -> int:
        return obj.member_count

    def audit_reseller(self, obj: Reseller) -> Reseller:
        return obj

    def save_formset(self, request, form, formset, change):
        if formset.model is not Membership:
            return super().save_formset(request, form, formset, change)
        formset.save(commit=False)  # what changed, for the services below and the change message; writes nothing
        reseller = form.instance
        principal = self.principal(request, reseller)
        # Additions and promotions first, so that a save which also demotes or removes the last `full` member
        # while naming another one succeeds.
        for membership in formset.new_objects:
            created = add_membership(self, request, reseller=reseller, user=membership.user, level=membership.level)
            membership.pk = created.pk
        for membership, fields in formset.changed_objects:
            if "level" in fields:
                self.call_service(
                    request,
                    lambda m=membership: services.change_member_level(
                        principal=principal, membership_id=m.pk, level=m.level
                    ),
                    label=f"Membership of {membership.user}",
                )
        for membership in formset.deleted_objects:
            self.call_service(
                request,
                lambda m=membership: services.remove_member(principal=principal, membership_id=m.pk),
                label=f"Membership of {membership.user}",
            )
        return None


@admin.register(Membership)
class MembershipAdmin(ServiceAdminMixin, admin.ModelAdmin):
    list_display = ("user", "user_email", "reseller", "level", "created_at")
    list_filter = ("level", "reseller")
    list_select_related = ("user", "reseller")
    search_fields = ("user__username", "user__email", "reseller__name")
    autocomplete_fields = ("user",)
    service_field_map = {"email": "user"}

    @admin.display(description="E-mail", ordering="user__email")
    def user_email(self, obj: Membership) -> str:
        return obj.user.email

    def get_readonly_fields(self, request, obj=None):
        return ("user", "reseller", "created_at") if obj else ()

    def get_fields(self, request, obj=None):
        return ("user", "reseller", "level", "created_at") if obj else ("user", "reseller", "level")

    def create_through_service(self, request, obj, form):
        data = form.cleaned_data
        return add_membership(self, request, reseller=data["reseller"], user=data["user"], level=data["level"])

    def change_through_service(self, request, obj, form):
        if "level" not in form.changed_data:
            return None
        principal = self.principal(request, obj.reseller)
        return services.change_member_level(principal=principal, membership_id=obj.pk, level=obj.level)

    def delete_through_service(self, request, obj):
        return services.remove_member(principal=self.principal(request, obj.reseller), membership_id=obj.pk)
