"""Public API documentation: the OpenAPI document, Swagger UI over it (served from local static files, the
drf-spectacular-sidecar app: no CDN), and the error-code page that every problem's `type` points to."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.renderers import OpenApiJsonRenderer, OpenApiJsonRenderer2
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from apps.api.errors import ERROR_CODES, MethodNotAllowed
from apps.api.problems import PROBLEM_JSON, json_problem


class AllowOnOptions:
    """OPTIONS answers 204 with the methods in `Allow`, as on every API route (no DRF metadata document)."""

    def options(self, request, *args, **kwargs):
        return Response(status=204)


class OpenApiView(AllowOnOptions, SpectacularAPIView):
    schema = None  # the document does not describe itself
    authentication_classes = []
    permission_classes = []
    renderer_classes = [OpenApiJsonRenderer, OpenApiJsonRenderer2]  # the route says .json (YAML came first)

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response["Content-Disposition"] = "inline"
        return response


class DocsView(AllowOnOptions, SpectacularSwaggerView):
    """Swagger UI; its CSS, JavaScript and favicon come from STATIC_URL (SWAGGER_UI_DIST = "SIDECAR")."""

    schema = None
    authentication_classes = []
    permission_classes = []
    url_name = "api:openapi"
    title = "Paneel API v2"

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        # A problem is JSON (and a 204 to OPTIONS empty), though the page itself is rendered from a template.
        if response.status_code >= 400 or response.status_code == 204:
            response.accepted_renderer = JSONRenderer()
            response.accepted_media_type = PROBLEM_JSON
        return response


@csrf_exempt  # a POST gets the 405 problem below, not Django's CSRF page
def errors_page(request: HttpRequest) -> HttpResponse:
    if request.method == "OPTIONS":
        response = HttpResponse(status=204)
        response["Allow"] = "GET, HEAD, OPTIONS"
        return response
    if request.method not in ("GET", "HEAD"):
        response = json_problem(MethodNotAllowed(f'Method "{request.method}" not allowed.'), request)
        response["Allow"] = "GET, HEAD, OPTIONS"
        return response
    return render(request, "api/errors.html", {"error_codes": ERROR_CODES})
