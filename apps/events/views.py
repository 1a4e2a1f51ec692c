"""Panel pages for webhooks (level `full`): list, add (the secret is shown once), change, remove, and a webhook's
deliveries with every attempt and a button to send one again."""

from django.contrib import messages
from django.db.models import Count, Prefetch
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from apps.core.principal import Level
from apps.events import services
from apps.events.forms import WebhookForm
from apps.events.models import Webhook, WebhookAttempt, WebhookDelivery
from apps.panel.panel import panel_view, posted, run_service

DELIVERIES_SHOWN = 50


@panel_view(Level.FULL)
def webhook_list(request):
    webhooks = list(
        Webhook.objects.for_principal(request.principal).annotate(delivery_count=Count("deliveries")).order_by("pk")
    )
    return render(request, "events/webhook_list.html", {"webhooks": webhooks})


@panel_view(Level.FULL)
@require_http_methods(["GET", "POST"])
def webhook_create(request):
    form = WebhookForm(posted(request))
    if request.method == "POST" and form.is_valid():
        created = run_service(
            request, services.create_webhook, form=form, principal=request.principal, **form.cleaned_data
        )
        if created:
            webhook, secret = created
            return render(request, "events/webhook_created.html", {"webhook": webhook, "secret": secret})
    return render(request, "events/webhook_form.html", {"form": form, "webhook": None})


@panel_view(Level.FULL)
def webhook_detail(request, webhook_id: int):
    webhook = Webhook.objects.get_for_principal(request.principal, pk=webhook_id)
    deliveries = list(
        WebhookDelivery.objects.filter(webhook=webhook)
        .select_related("event")
        .prefetch_related(Prefetch("attempts", queryset=WebhookAttempt.objects.order_by("number")))
        .order_by("-created_at", "-id")[:DELIVERIES_SHOWN]
    )
    return render(request, "events/webhook_detail.html", {"webhook": webhook, "deliveries": deliveries})


@panel_view(Level.FULL)
@require_http_methods(["GET", "POST"])
def webhook_edit(request, webhook_id: int):
    webhook = Webhook.objects.get_for_principal(request.principal, pk=webhook_id)
    form = WebhookForm(posted(request), initial=WebhookForm.initial_of(webhook))
    if request.method == "POST" and form.is_valid():
        changed = run_service(
            request,
            services.update_webhook,
            form=form,
            principal=request.principal,
            webhook_id=webhook.pk,
            **form.cleaned_data,
        )
        if changed:
            messages.success(request, "The webhook has been changed.")
            return redirect("webhooks:detail", webhook_id=webhook.pk)
    return render(request, "events/webhook_form.html", {"form": form, "webhook": webhook})


@panel_view(Level.FULL)
@require_http_methods(["GET", "POST"])
def webhook_delete(request, webhook_id: int):
    webhook = Webhook.objects.get_for_principal(request.principal, pk=webhook_id)
    if request.method == "POST":
        if run_service(request, services.delete_webhook, principal=request.principal, webhook_id=webhook.pk):
            messages.success(request, f"Events are no longer sent to {webhook.url}.")
        return redirect("webhooks:list")
    return render(request, "events/webhook_delete.html", {"webhook": webhook})


@panel_view(Level.FULL)
@require_POST
def delivery_replay(request, delivery_id: int):
    delivery = WebhookDelivery.objects.get_for_principal(request.principal, pk=delivery_id)
    if run_service(request, services.replay_delivery, principal=request.principal, delivery_id=delivery.pk):
        messages.success(request, f"Event {delivery.event_id} will be sent again in a moment.")
    return redirect("webhooks:detail", webhook_id=delivery.webhook_id)
