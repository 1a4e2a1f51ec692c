"""Staff in Django admin sign in with a second factor when `PANEEL_STAFF_REQUIRE_TWO_FACTOR` is on."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

from apps.twofactor.services import has_two_factor
from apps.twofactor.session import SESSION_TWO_FACTOR_VERIFIED


class StaffTwoFactorMiddleware:
    """Sends staff whose sign-in passed no second factor away from `/admin/` (to set it up, or to sign in again).

    The panel's own pages check the same in `panel_view`; this covers admin, whose views Paneel does not wrap.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.PANEEL_STAFF_REQUIRE_TWO_FACTOR and self.refused(request):
            if has_two_factor(request.user):
                logout(request)
                return redirect(f"{reverse('admin:login')}?next={reverse('admin:index')}")
            return redirect("twofactor:setup")
        return self.get_response(request)

    @staticmethod
    def refused(request) -> bool:
        admin_root = reverse("admin:index")
        if not request.path.startswith(admin_root) or request.path in {reverse("admin:login"), reverse("admin:logout")}:
            return False
        user = getattr(request, "user", None)
        return bool(user and user.is_authenticated and user.is_staff) and not request.session.get(
            SESSION_TWO_FACTOR_VERIFIED
        )
