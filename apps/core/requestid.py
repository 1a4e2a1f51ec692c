"""Request ids: echo a sane `X-Request-Id` from the client, otherwise make one; always answer with it."""

import re
import uuid

from django.http import HttpRequest, HttpResponse

SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")


def request_id_from(request: HttpRequest) -> str:
    incoming = request.headers.get("X-Request-Id", "")
    return incoming if SANE_REQUEST_ID.match(incoming) else uuid.uuid4().hex


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.request_id = request_id_from(request)
        response = self.get_response(request)
        response["X-Request-Id"] = request.request_id
        return response
