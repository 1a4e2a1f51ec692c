"""Django admin for platform operators: the site's header, the audit log, and what every domain admin shares.

Staff see everything, and every change they make is audited like a change through any other door:
- `ServiceAdminMixin`: add/change/delete and actions call the domain's services as
  `Principal.operator(user, reseller)`; a `DomainError` becomes form errors (or an error message), never a 500.
- `AuditedAdminMixin`: for the operator's own models (resellers, servicepacks), saved with plain admin forms,
  each save and delete writes one `AuditEvent`.

Core has no domain knowledge: these mixins know `DomainError`, `Principal` and the audit writer, nothing more.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, ClassVar

from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected as confirm_delete_selected
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import model_ngettext
from django.db import models
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html

from apps.core import audit
from apps.core.errors import DomainError
from apps.core.ip import client_ip
from apps.core.models import AuditEvent
from apps.core.principal import Principal

admin.site.site_header = "Paneel operator admin"
admin.site.site_title = "Paneel operator admin"
admin.site.index_title = "Platform operations"

# Set on the request when a service refused a save: the form is then shown again with the refusal as its errors.
_REFUSAL = "_paneel_admin_refusal"
# The (object, job) results of the services this request called, announced once the save has succeeded.
_RESULTS = "_paneel_admin_results"


def operator_principal(request: HttpRequest, reseller: Any) -> Principal:
    """The staff user of `request` acting in admin for `reseller` (None: for the platform as a whole)."""
    return Principal.operator(
        request.user,
        reseller,
        ip=client_ip(request) or None,
        request_id=getattr(request, "request_id", ""),
    )


def add_domain_error(
    form: BaseForm, error: DomainError, field_map: dict[str, str] | None = None, label: str = ""
) -> None:
    """Put a service's `DomainError` on `form`: each problem on the field it names, if the form has that field
    (after `field_map`, and `x_id` -> `x`), else as a non-field error (prefixed with `label`, when given)."""
    field_map = field_map or {}
    for problem in error.problems:
        field = field_map.get(problem.field, problem.field) if problem.field else None
        if field and field not in form.fields and field.endswith("_id"):
            field = field.removesuffix("_id")
        if field not in form.fields or form.fields[field].disabled:
            field = None
        form.add_error(field, problem.message if field or not label else f"{label}: {problem.message}")


class ServiceRefused(Exception):
    """A service raised `error` during an admin save: the whole save is rolled back and the form shown again."""

    def __init__(self, error: DomainError, label: str = ""):
        self.error, self.label = error, label
        super().__init__(error.detail)


def jobs_of(result: Any) -> list[models.Model]:
    """The jobs in what services returned: `(obj, job)`, a list of those, or a bare object (no job)."""
    if isinstance(result, list):
        return [job for item in result for job in jobs_of(item)]
    if isinstance(result, tuple) and len(result) == 2 and isinstance(result[1], models.Model):
        return [result[1]]
    return []


def describe_job(job: models.Model) -> str:
    """`Queued provisioning job “…” (id …).`, linked to the job's admin page when it has one."""
    opts = job._meta
    text = f"Queued {opts.verbose_name} “{job}” (id {job.pk})."
    try:
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[job.pk])
    except NoReverseMatch:
        return text
    return format_html('Queued {} <a href="{}">“{}”</a> (id {}).', opts.verbose_name, url, str(job), job.pk)


def run_for_each(
    model_admin: admin.ModelAdmin,
    request: HttpRequest,
    objects: Iterable[models.Model],
    call: Callable[[models.Model], Any],
    *,
    done: str,
) -> int:
    """Call a service on each selected object. Each refusal is reported with its detail, the successes with a
    count (`done` is formatted with `count` and `items`). Returns how many succeeded."""
    succeeded = 0
    for obj in objects:
        label = str(obj)
        try:
            call(obj)
        except DomainError as exc:
            model_admin.message_user(request, f"{label}: {exc.detail}", messages.ERROR)
        else:
            succeeded += 1
    if succeeded:
        items = model_ngettext(model_admin.opts, succeeded)
        model_admin.message_user(request, done.format(count=succeeded, items=items), messages.SUCCESS)
    return succeeded


@admin.action(permissions=["delete"], description="Delete selected %(verbose_name_plural)s")
def delete_selected_through_services(model_admin, request, queryset):
    """Django's bulk delete with its confirmation page, but deleting through `delete_queryset` (the services)."""
    if request.POST.get("post"):
        _, _, perms_needed, protected = model_admin.get_deleted_objects(queryset, request)
        if not perms_needed and not protected:
            model_admin.delete_queryset(request, queryset)
            return None
    # The confirmation page (or Django's refusal when something is protected or not permitted).
    return confirm_delete_selected(model_admin, request, queryset)


class ServiceCallsMixin:
    """Call services from an admin save: `call_service` turns a `DomainError` into form errors, and the jobs the
    services return are announced once the save has succeeded.

    A `DomainError` rolls the whole save back (the view runs in one transaction) and the form is shown again with
    the error on the field it names (`service_field_map` renames a service's field to the form's), else as a
    non-field error.
    """

    service_field_map: ClassVar[dict[str, str]] = {}

    def principal(self, request: HttpRequest, reseller: Any) -> Principal:
        return operator_principal(request, reseller)

    def call_service(self, request: HttpRequest, call: Callable[[], Any], *, label: str = "") -> Any:
        """Run `call`; a `DomainError` becomes `ServiceRefused` (the save is undone and the form shown again)."""
        try:
            result = call()
        except DomainError as exc:
            raise ServiceRefused(exc, label) from exc
        setattr(request, _RESULTS, [*getattr(request, _RESULTS, []), result])
        return result

    def announce_jobs(self, request: HttpRequest) -> None:
        for job in jobs_of(getattr(request, _RESULTS, [])):
            self.message_user(request, describe_job(job), messages.INFO)
        setattr(request, _RESULTS, [])

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change, **kwargs)
        refusal = getattr(request, _REFUSAL, None)
        if refusal is None:
            return form_class
        field_map = self.service_field_map

        class RefusedForm(form_class):
            def clean(self):
                try:
                    return super().clean()
                finally:
                    add_domain_error(self, refusal.error, field_map, refusal.label)

        RefusedForm.__name__ = form_class.__name__
        return RefusedForm

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ServiceRefused as refusal:
            # The view's transaction has been rolled back; run it again to show the form with the refusal on it
            # (its validation fails this time, so nothing is saved).
            setattr(request, _REFUSAL, refusal)
            setattr(request, _RESULTS, [])
            return super().changeform_view(request, object_id, form_url, extra_context)

    def response_add(self, request, obj, post_url_continue=None):
        response = super().response_add(request, obj, post_url_continue)
        self.announce_jobs(request)
        return response

    def response_change(self, request, obj):
        response = super().response_change(request, obj)
        self.announce_jobs(request)
        return response


class ServiceAdminMixin(ServiceCallsMixin):
    """Add, change and delete through the domain's services, as the operator acting for the object's reseller.

    Subclasses implement `create_through_service` (returns the object or `(object, job)`), and where they allow
    it `change_through_service` and `delete_through_service`, calling services with `self.principal(request,
    reseller)`. Delete (single and bulk, with Django's confirmation page) and actions report a refusal as an
    error message.
    """

    def create_through_service(self, request: HttpRequest, obj: models.Model, form: BaseForm) -> Any:
        raise NotImplementedError

    def change_through_service(self, request: HttpRequest, obj: models.Model, form: BaseForm) -> Any:
        return None

    def delete_through_service(self, request: HttpRequest, obj: models.Model) -> Any:
        raise NotImplementedError

    def save_model(self, request, obj, form, change):
        if change:
            self.call_service(request, lambda: self.change_through_service(request, obj, form))
            return
        result = self.call_service(request, lambda: self.create_through_service(request, obj, form))
        created = result[0] if isinstance(result, tuple) else result
        # The service made its own instance; the admin goes on (log entry, redirect) with the form's.
        obj.__dict__.update(created.__dict__)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except ServiceRefused as refusal:
            self.message_user(request, refusal.error.detail, messages.ERROR)
            opts = self.opts
            return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[object_id]))

    def delete_model(self, request, obj):
        self.call_service(request, lambda: self.delete_through_service(request, obj))

    def response_delete(self, request, obj_display, obj_id) -> HttpResponse:
        jobs = jobs_of(getattr(request, _RESULTS, []))
        if not jobs:
            return super().response_delete(request, obj_display, obj_id)
        # Deletion has started, not ended: the job removes the object. Say so instead of "deleted successfully".
        self.message_user(request, f"Deleting {self.opts.verbose_name} “{obj_display}”.", messages.SUCCESS)
        self.announce_jobs(request)
        url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
        url = add_preserved_filters({"preserved_filters": self.get_preserved_filters(request), "opts": self.opts}, url)
        return HttpResponseRedirect(url)

    def delete_queryset(self, request, queryset):
        run_for_each(
            self,
            request,
            queryset,
            lambda obj: self.delete_through_service(request, obj),
            done="Deletion started for {count} {items}.",
        )

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            _, name, description = actions["delete_selected"]
            actions["delete_selected"] = (delete_selected_through_services, name, description)
        return actions


def related_count(queryset: models.QuerySet | models.Manager, field: str) -> Coalesce:
    """Count the rows of `queryset` whose `field` points at the outer row, for `annotate` on a changelist: a
    correlated subquery, so it uses the foreign key's index and runs only for the rows shown (a JOIN with
    GROUP BY would aggregate the whole related table first)."""
    counted = queryset.filter(**{field: OuterRef("pk")}).order_by().values(field).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def jsonable(value: Any) -> Any:
    """A form value as it goes into an audit event's `changes`: objects by primary key, the rest as JSON."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, models.QuerySet | list | tuple | set):
        return sorted((jsonable(item) for item in value), key=str)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def form_changes(form: BaseForm) -> dict[str, list[Any]]:
    """`{field: [old, new]}` for each field the operator changed."""
    return {
        name: [jsonable(form.initial.get(name)), jsonable(form.cleaned_data.get(name))] for name in form.changed_data
    }


def formset_changes(formsets: Iterable[Any]) -> dict[str, dict[str, list[Any]]]:
    """What each inline formset added, changed and deleted (after it was saved), by its model's plural name."""
    changes = {}
    for formset in formsets:
        summary = {
            "added": [str(obj) for obj in formset.new_objects],
            "changed": [f"{obj}: {', '.join(fields)}" for obj, fields in formset.changed_objects],
            "deleted": [str(obj) for obj in formset.deleted_objects],
        }
        summary = {key: value for key, value in summary.items() if value}
        if summary:
            changes[str(formset.model._meta.verbose_name_plural)] = summary
    return changes


class AuditedAdminMixin:
    """Plain admin saves and deletes of the operator's own models, each recorded as one `AuditEvent`.

    The action is `<model_name>.create|change|delete`; `audit_reseller(obj)` names the reseller the event belongs
    to (None: the platform's). Inline changes go into the parent's event unless `audit_formsets` is False (when
    the inline saves through services, which audit themselves).
    """

    audit_formsets: ClassVar[bool] = True

    def audit_reseller(self, obj: models.Model) -> Any:
        return None

    def audit(self, request: HttpRequest, obj: models.Model, verb: str, changes: dict[str, Any]) -> None:
        principal = operator_principal(request, self.audit_reseller(obj))
        audit.record(principal, f"{obj._meta.model_name}.{verb}", obj, changes)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        changes = form_changes(form)
        if self.audit_formsets:
            changes.update(formset_changes(formsets))
        if change and not changes:
            return  # a save without changes changes nothing worth recording
        self.audit(request, form.instance, "change" if change else "create", changes)

    def delete_model(self, request, obj):
        self.audit(request, obj, "delete", {"name": str(obj)})
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.audit(request, obj, "delete", {"name": str(obj)})
        super().delete_queryset(request, queryset)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit log: append-only, so nobody adds, changes or deletes an event here."""

    list_display = ("at", "via", "actor_repr", "action", "object_type", "object_id", "object_repr", "reseller", "ip")
    list_filter = ("via", "action", "reseller")
    list_select_related = ("reseller",)
    search_fields = ("actor_repr", "object_repr", "=request_id")
    date_hierarchy = "at"
    show_full_result_count = False
    fields = (
        "at",
        "via",
        "reseller",
        "actor_kind",
        "actor_user",
        "actor_id",
        "actor_repr",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "changes",
        "ip",
        "request_id",
    )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
