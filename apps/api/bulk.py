"""Bulk creates (`POST /v2/accounts/bulk`, `POST /v2/mailboxes/bulk`): an array of at most 100 items, each
validated and created by the same service as a single create, each in its own transaction, answered 207 with one
result per item: its status and `location` (202 + the job, or 201 + the new resource) or its problem."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction
from rest_framework import serializers
from rest_framework.response import Response

from apps.api import errors
from apps.api.problems import as_domain_error, problem_body
from apps.core.errors import FieldProblem, InsufficientLevel, ValidationFailed

logger = logging.getLogger(__name__)
MAX_ITEMS = 100


class BulkResultOut(serializers.Serializer):
    index = serializers.IntegerField(help_text="The item's position in the request array (from 0).")
    status = serializers.IntegerField(help_text="What a single create would have answered: 201, 202 or the error.")
    location = serializers.CharField(
        required=False, help_text="201: the new resource; 202: the provisioning job to poll."
    )
    problem = serializers.JSONField(required=False, help_text="The problem (as problem+json) when the item failed.")


def bulk_create(
    request, item_serializer: type[serializers.Serializer], create_one: Callable[[dict[str, Any]], tuple[int, str]]
) -> Response:
    """Run `create_one(validated item)` -> (status, location) for each item of the request's JSON array."""
    items = request.data
    if not isinstance(items, list):
        raise ValidationFailed.from_problems([FieldProblem("validation_failed", "The body is a JSON array of items.")])
    if not items:
        raise ValidationFailed.from_problems([FieldProblem("validation_failed", "Send at least one item.")])
    if len(items) > MAX_ITEMS:
        raise ValidationFailed.from_problems(
            [FieldProblem("validation_failed", f"At most {MAX_ITEMS} items at once; this has {len(items)}.")]
        )
    results = []
    for index, item in enumerate(items):
        try:
            serializer = item_serializer(data=item)
            serializer.is_valid(raise_exception=True)
            with transaction.atomic():  # each item commits (or fails) on its own
                status, location = create_one(serializer.validated_data)
            results.append({"index": index, "status": status, "location": location})
        except InsufficientLevel:
            raise  # the same for every item: the whole request is refused
        except Exception as exc:
            error = as_domain_error(exc)
            if error is None:
                logger.exception("Bulk item %d of %s failed unexpectedly", index, request.path)
                error = errors.InternalError("An unexpected error occurred; it has been logged.")
            results.append({"index": index, "status": error.status, "problem": problem_body(error, request)})
    return Response(results, status=207)
