"""Panel pages for API access (level `full`): API keys and OAuth applications."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from apps.apikeys import oauth_services, services
from apps.apikeys.forms import ApiKeyCreateForm, OAuthApplicationForm
from apps.apikeys.models import ApiKey, ResellerApplication
from apps.core.crypto import decrypt, encrypt
from apps.core.principal import Level
from apps.panel.panel import panel_view, posted, run_service

SESSION_SHOW_KEY_SECRET = "paneel_show_api_key_secret"
SESSION_SHOW_OAUTH_SECRET = "paneel_show_oauth_secret"


@panel_view(Level.FULL)
def index(request):
    return redirect("apikeys:key_list")


@panel_view(Level.FULL)
def api_key_list(request):
    api_keys = list(ApiKey.objects.for_principal(request.principal).select_related("created_by"))
    return render(request, "apikeys/key_list.html", {"api_keys": api_keys})


@panel_view(Level.FULL)
@require_http_methods(["GET", "POST"])
def api_key_create(request):
    form = ApiKeyCreateForm(posted(request))
    if request.method == "POST" and form.is_valid():
        created = run_service(
            request, services.create_api_key, form=form, principal=request.principal, **form.cleaned_data
        )
        if created:
            api_key, _secret = created
            # Post/redirect/get: a reload of the next page never creates a second key. The session holds only
            # "show key N's secret once"; the page reads the secret from the key (stored encrypted anyway).
            request.session[SESSION_SHOW_KEY_SECRET] = api_key.pk
            return redirect("apikeys:key_created", api_key_id=api_key.pk)
    return render(request, "apikeys/key_create.html", {"form": form})


@panel_view(Level.FULL)
def api_key_created(request, api_key_id: int):
    """The new key, with its secret the first time this page is shown after creating it; never again."""
    api_key = ApiKey.objects.get_for_principal(request.principal, pk=api_key_id)
    show = request.session.pop(SESSION_SHOW_KEY_SECRET, None) == api_key.pk
    secret = decrypt(api_key.secret_encrypted) if show else None
    return render(request, "apikeys/key_created.html", {"api_key": api_key, "secret": secret})


@panel_view(Level.FULL)
@require_http_methods(["GET", "POST"])
def api_key_revoke(request, api_key_id: int):
    api_key = ApiKey.objects.get_for_principal(request.principal, pk=api_key_id)
    if request.method == "POST":
        if run_service(request, services.revoke_api_key, principal=request.principal, api_key_id=api_key.pk):
            messages.success(request, f"{api_key} is revoked; requests signed with it are refused from now on.")
        return redirect("apikeys:key_list")
    return render(request, "apikeys/key_revoke.html", {"api_key": api_key})


@panel_view(Level.FULL)
def oauth_list(request):
    links = list(ResellerApplication.objects.for_principal(request.principal).select_related("application"))
    applications = []
    for link in links:
        link.application.level_label = link.get_level_display()
        applications.append(link.application)
    return render(request, "apikeys/oauth_list.html", {"applications": applications})


@panel_view(Level.FULL)
@require_http_methods(["GET", "POST"])
def oauth_create(request):
    form = OAuthApplicationForm(posted(request))
    if request.method == "POST" and form.is_valid():
        created = run_service(
            request,
            oauth_services.create_oauth_application,
            form=form,
            principal=request.principal,
            **form.cleaned_data,
        )
        if created:
            application, secret = created
            # Post/redirect/get. The client secret is stored hashed, so the next page can only show it from the
            # session: kept there encrypted (Fernet), for one view.
            request.session[SESSION_SHOW_OAUTH_SECRET] = {
                "application_id": application.pk,
                "secret": encrypt(secret).decode() if secret else "",
            }
            return redirect("apikeys:oauth_created", application_id=application.pk)
    return render(request, "apikeys/oauth_form.html", {"form": form})


@panel_view(Level.FULL)
def oauth_created(request, application_id: int):
    """The new application's client id, with its secret the first time this page is shown; never again."""
    link = ResellerApplication.objects.select_related("application").get_for_principal(
        request.principal, application_id=application_id
    )
    pending = request.session.pop(SESSION_SHOW_OAUTH_SECRET, None)
    secret, shown_once = None, False
    if isinstance(pending, dict) and pending.get("application_id") == link.application_id:
        secret = decrypt(pending["secret"].encode()) if pending.get("secret") else None
    else:
        shown_once = True
    context = {"application": link.application, "secret": secret, "shown_once": shown_once}
    return render(request, "apikeys/oauth_created.html", context)


@panel_view(Level.FULL)
@require_http_methods(["GET", "POST"])
def oauth_edit(request, application_id: int):
    link = ResellerApplication.objects.select_related("application").get_for_principal(
        request.principal, application_id=application_id
    )
    application = link.application
    initial = {
        "name": application.name,
        "authorization_grant_type": application.authorization_grant_type,
        "redirect_uris": "\n".join(application.redirect_uris.split()),
        "level": link.level,
    }
    form = OAuthApplicationForm(posted(request), initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        updated = run_service(
            request,
            oauth_services.update_oauth_application,
            form=form,
            principal=request.principal,
            application_id=application.pk,
            **form.cleaned_data,
        )
        if updated:
            messages.success(request, f"OAuth application {updated.name} is saved.")
            return redirect("apikeys:oauth_list")
    return render(request, "apikeys/oauth_form.html", {"form": form, "application": application})


@panel_view(Level.FULL)
@require_http_methods(["GET", "POST"])
def oauth_delete(request, application_id: int):
    link = ResellerApplication.objects.select_related("application").get_for_principal(
        request.principal, application_id=application_id
    )
    application = link.application
    if request.method == "POST":
        if run_service(
            request, oauth_services.delete_oauth_application, principal=request.principal, application_id=application.pk
        ):
            messages.success(request, f"OAuth application {application.name} is deleted; its tokens no longer work.")
        return redirect("apikeys:oauth_list")
    return render(request, "apikeys/oauth_delete.html", {"application": application})
