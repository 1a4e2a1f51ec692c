"""Panel pages for mail: an account's mail page (mailboxes with usage, aliases, catch-all, anti-spam, SMTP domains,
connection details) and a mailbox's auto-reply and auto-forward."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from apps.accounts.models import Account
from apps.assets.models import Asset
from apps.core.errors import NotFound
from apps.core.principal import Level
from apps.mail import services
from apps.mail.forms import (
    AliasForm,
    AntiSpamForm,
    AutoForwardForm,
    AutoReplyForm,
    CatchAllForm,
    RemoveForm,
    SmtpDomainForm,
)
from apps.mail.selectors import ZoneView, mail_zone
from apps.panel.panel import panel_view, posted, run_service
from apps.servicepacks.models import AssetType


def connection_details(zone: ZoneView) -> dict:
    """Where a mail client connects: the account's mail server (or this panel's host without one)."""
    server = zone.account.mail_server
    services_ = server.services if server is not None else {}
    return {
        "host": server.hostname if server is not None else getattr(settings, "PANEEL_MAIL_HOSTNAME", "localhost"),
        "imap_port": services_.get("imap_port", 143),
        "smtp_port": services_.get("submission_port", 587),
    }


def _zone_for(principal, account_id: int) -> ZoneView:
    account = Account.objects.only("identifier").get_for_principal(principal, pk=account_id)
    return mail_zone(principal, account.identifier)


# The zone's forms by the `action` a POST names, with the service each one calls.
ZONE_ACTIONS = {
    "anti_spam": (AntiSpamForm, lambda p, zone, data: services.set_anti_spam(
        principal=p, domain_name=zone.name, anti_spam=data["type"])),
    "add_catch_all": (CatchAllForm, lambda p, zone, data: services.create_catch_all(
        principal=p, domain_name=zone.name, email_address=data["email_address"])),
    "remove_catch_all": (RemoveForm, lambda p, zone, data: services.delete_catch_all(
        principal=p, domain_name=zone.name, email_address=data["value"])),
    "add_alias": (AliasForm, lambda p, zone, data: services.create_alias(
        principal=p, domain_name=zone.name, email_address=data["email_address"], destinations=data["destinations"])),
    "remove_alias": (RemoveForm, lambda p, zone, data: services.delete_alias(
        principal=p, domain_name=zone.name, email_address=data["value"])),
    "add_smtp_domain": (SmtpDomainForm, lambda p, zone, data: services.create_smtp_domain(
        principal=p, domain_name=zone.name, hostname=data["hostname"])),
    "remove_smtp_domain": (RemoveForm, lambda p, zone, data: services.delete_smtp_domain(
        principal=p, domain_name=zone.name, hostname=data["value"])),
}  # fmt: skip


def _page(request, zone: ZoneView, forms: dict, status: int = 200):
    return render(
        request,
        "mail/zone.html",
        {"zone": zone, "account": zone.account, "connection": connection_details(zone), **forms},
        status=status,
    )


def _blank_forms(zone: ZoneView) -> dict:
    return {
        "anti_spam_form": AntiSpamForm(initial={"type": zone.anti_spam}),
        "catch_all_form": CatchAllForm(),
        "alias_form": AliasForm(),
        "smtp_domain_form": SmtpDomainForm(),
    }


@panel_view()
def zone_detail(request, account_id: int):
    zone = _zone_for(request.principal, account_id)
    return _page(request, zone, _blank_forms(zone))


@panel_view(Level.WRITE)
@require_POST
def zone_change(request, account_id: int):
    zone = _zone_for(request.principal, account_id)
    action = request.POST.get("action", "")
    if action not in ZONE_ACTIONS:
        raise NotFound("No such change.")
    form_class, call = ZONE_ACTIONS[action]
    form = form_class(request.POST)
    if form.is_valid() and run_service(
        request, lambda **_: call(request.principal, zone, form.cleaned_data), form=form
    ):
        messages.success(request, "Saved; the mail server is being updated.")
        return redirect("mail:zone", account_id=account_id)
    forms = _blank_forms(zone)
    name = {"add_catch_all": "catch_all_form", "add_alias": "alias_form", "add_smtp_domain": "smtp_domain_form"}
    if action in name:
        forms[name[action]] = form
    elif action == "anti_spam":
        forms["anti_spam_form"] = form
    else:
        for error in form.non_field_errors() or [e for errors in form.errors.values() for e in errors]:
            messages.error(request, error)
    return _page(request, zone, forms, status=400)


def _mailbox(principal, asset_id: int) -> Asset:
    asset = Asset.objects.select_related("account").get_for_principal(principal, pk=asset_id)
    if asset.asset_type != AssetType.MAILBOX:
        raise NotFound("Mailbox not found.")
    return asset


@panel_view(Level.WRITE)
@require_http_methods(["GET", "POST"])
def mailbox_settings(request, asset_id: int):
    """A mailbox's auto-reply and auto-forward, each saved by its own button."""
    principal = request.principal
    asset = _mailbox(principal, asset_id)
    reply = asset.details.get("auto_reply") or {}
    forward = asset.details.get("auto_forward") or {}
    reply_form = AutoReplyForm(
        posted(request) if request.POST.get("save") == "reply" else None,
        initial={
            "reply_enabled": reply.get("enabled", False),
            "subject": reply.get("subject", ""),
            "message": reply.get("message", ""),
            "start_date": reply.get("start_date"),
            "end_date": reply.get("end_date"),
        },
    )
    forward_form = AutoForwardForm(
        posted(request) if request.POST.get("save") == "forward" else None,
        initial={
            "forward_enabled": forward.get("enabled", False),
            "email_addresses": "\n".join(forward.get("email_addresses") or []),
            "copy_to_myself": forward.get("copy_to_myself", False),
        },
    )
    status = 200
    if request.method == "POST":
        saved = None
        if request.POST.get("save") == "forward" and forward_form.is_valid():
            data = forward_form.cleaned_data
            saved = run_service(
                request,
                services.set_auto_forward,
                form=forward_form,
                principal=principal,
                asset_id=asset.pk,
                enabled=data["forward_enabled"],
                email_addresses=data["email_addresses"],
                copy_to_myself=data["copy_to_myself"],
            )
        elif request.POST.get("save") != "forward" and reply_form.is_bound and reply_form.is_valid():
            data = reply_form.cleaned_data
            saved = run_service(
                request,
                services.set_auto_reply,
                form=reply_form,
                principal=principal,
                asset_id=asset.pk,
                enabled=data["reply_enabled"],
                subject=data["subject"],
                message=data["message"],
                start_date=data["start_date"],
                end_date=data["end_date"],
            )
        elif not reply_form.is_bound and request.POST.get("save") != "forward":
            messages.error(request, "Choose what to save.")
        if saved:
            messages.success(request, f"Saved; {asset.name} is being updated.")
            return redirect("mail:mailbox", asset_id=asset.pk)
        status = 400
    return render(
        request,
        "mail/mailbox.html",
        {"asset": asset, "account": asset.account, "reply_form": reply_form, "forward_form": forward_form},
        status=status,
    )
