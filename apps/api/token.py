"""`POST /o/token/` with failed attempts counted per client IP (issue 14 item 7): the toolkit's TokenView, which
answers 429 `rate_limited` (with `Retry-After`) once the IP has failed to authenticate too often this minute, in
the same bucket as failed HMAC and bearer attempts (`apps.api.ratelimit`)."""

from __future__ import annotations

from oauth2_provider.views import TokenView

from apps.api.problems import json_problem
from apps.api.ratelimit import count_failed_authentication, failed_authentication_usage, rate_limited

FAILED = {400, 401}  # invalid_client, invalid_grant, ... (RFC 6749 5.2)


class CountedTokenView(TokenView):
    def post(self, request, *args, **kwargs):
        usage = failed_authentication_usage(request)
        if usage is not None and usage.over:
            response = json_problem(rate_limited(usage, "failed authentication attempts"), request)
            for name, value in usage.headers().items():
                response[name] = value
            return response
        response = super().post(request, *args, **kwargs)
        if response.status_code in FAILED:
            count_failed_authentication(request)
        return response
