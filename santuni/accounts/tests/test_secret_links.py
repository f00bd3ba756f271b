"""Emailed links with a secret (an invitation, a password reset): the first request moves the
secret out of the address, and no log line holds it, not Django's, not runserver's access log,
not gunicorn's."""

import logging
import re
from datetime import timedelta
from types import SimpleNamespace
from urllib.parse import unquote, urlsplit

import pytest
from django.core import mail
from django.core.servers.basehttp import WSGIRequestHandler
from django.test import Client
from django.urls import reverse
from django.utils import translation
from gunicorn.config import Config
from gunicorn.glogging import Logger as GunicornLogger

from santuni.accounts import views
from santuni.accounts.models import Membership, Role
from santuni.accounts.tests.personas import sign_in

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "Taman-Seri-Pagi-88"


@pytest.fixture
def logs(caplog, monkeypatch):
    """Every log line at DEBUG, the servers' access logs too (their loggers do not pass lines
    on to the root's handlers)."""
    from django.db import transaction

    monkeypatch.setattr(transaction, "on_commit", lambda func, *a, **k: func())
    caplog.set_level(logging.DEBUG)
    names = ("django.server", "gunicorn.access", "gunicorn.error")
    for name in names:
        logging.getLogger(name).addHandler(caplog.handler)
    yield caplog
    for name in names:
        logging.getLogger(name).removeHandler(caplog.handler)


class Served:
    """A test client whose requests are also written to the access logs, as `manage.py
    runserver` and gunicorn (with Santuni's settings) write them."""

    def __init__(self, client):
        self.client = client
        config = Config()
        config.set("accesslog", "-")
        self.gunicorn = GunicornLogger(config)

    def __call__(self, method: str, url: str, data=None, **extra):
        response = getattr(self.client, method.lower())(url, data or {}, **extra)
        runserver = WSGIRequestHandler.__new__(WSGIRequestHandler)
        runserver.request, runserver.requestline = None, f"{method} {url} HTTP/1.1"
        runserver.log_request(response.status_code, len(response.content))
        path, _, query = url.partition("?")
        environ = {
            "REQUEST_METHOD": method,
            "RAW_URI": url,
            "PATH_INFO": unquote(path),
            "QUERY_STRING": query,
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "192.0.2.10",
            "HTTP_REFERER": f"http://testserver{url}",
        }
        answer = SimpleNamespace(status=str(response.status_code), headers=[], sent=0)
        self.gunicorn.access(answer, SimpleNamespace(headers=[]), environ, timedelta(0))
        return response


def link_in(message) -> str:
    return urlsplit(re.search(r"https?://\S+", message.body).group(0)).path


def test_an_invitation_link_leaves_its_secret_in_no_log(client, personas, logs, monkeypatch):
    served = Served(client)
    sign_in(client, personas.district_officer)
    served(
        "POST",
        reverse("accounts:people"),
        {
            "email": "ketua.baru@example.invalid",
            "name": "Rosnah binti Ali",
            "role": Role.CBO_HEAD,
            "organization": personas.other_cbo.organization.pk,
            "language": "ms",
        },
    )
    link = link_in(mail.outbox[-1])
    token = link.rsplit("/", 1)[1]
    served("POST", reverse("accounts:sign_out"))

    opened = served("GET", link)
    assert opened.status_code == 302 and token not in opened["Location"]
    # Whatever else is done with the link: another method, no CSRF cookie, a fault.
    assert served("POST", link).status_code == 405
    strict = Served(Client(enforce_csrf_checks=True))
    assert strict("POST", link).status_code == 403
    monkeypatch.setattr(views, "redirect", lambda *a, **k: 1 / 0)
    client.raise_request_exception = False
    assert served("GET", link).status_code == 500
    monkeypatch.undo()
    client.raise_request_exception = True

    served("GET", opened["Location"])
    done = served(
        "POST",
        opened["Location"],
        {"name": "Rosnah binti Ali", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert done.status_code == 302
    assert Membership.objects.filter(user__username="ketua.baru@example.invalid").exists()

    assert "jemputan/" in logs.text  # the access logs were read
    assert token not in logs.text


@pytest.mark.parametrize("language", ["ms", "en"])
def test_a_password_reset_link_leaves_its_secret_in_no_log(client, personas, logs, language):
    served = Served(client)
    head = personas.cbo_head
    with translation.override(language):
        served("POST", reverse("accounts:password_reset"), {"email": head.user.email})
    link = link_in(mail.outbox[-1])
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert len(token) > 20

    opened = served("GET", link)
    assert opened.status_code == 302 and token not in opened["Location"]
    assert served("POST", link + "x").status_code == 200  # a wrong link: its page says so
    served("GET", opened["Location"])
    done = served(
        "POST", opened["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done.status_code == 302
    head.user.refresh_from_db()
    assert head.user.check_password(NEW_PASSWORD)

    assert "kata-laluan/baru/" in logs.text
    assert token not in logs.text
