"""Fixtures for the operator admin: a staff superuser logged in through Django's test `Client`, and a helper that
posts an admin form back the way a browser would (fields, inline management forms and all)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages

from tests.conftest import PASSWORD


@pytest.fixture
def operator(db):
    return get_user_model().objects.create_superuser("operator", "operator@example.test", PASSWORD)


@pytest.fixture
def op_client(client, operator):
    client.force_login(operator)
    return client


def _put_form(data: dict, form) -> None:
    for name, field in form.fields.items():
        if field.disabled:
            continue
        value = form[name].value()
        key = form.add_prefix(name)
        if value is None or value is False:
            continue
        if value is True:
            data[key] = "on"
        elif isinstance(value, list | tuple):
            data[key] = [str(item) for item in value]
        else:
            data[key] = str(value)


def form_data(response, **changes) -> dict:
    """The POST data of the admin form in `response`, as rendered, with `changes` applied."""
    data: dict = {}
    _put_form(data, response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        _put_form(data, formset.management_form)
        for form in formset.forms:
            _put_form(data, form)
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def form_errors(response) -> dict:
    """Errors of the admin form in `response`: field name (or `__all__`) -> messages."""
    form = response.context["adminform"].form
    return {name: [str(e) for e in errors] for name, errors in form.errors.items()}
