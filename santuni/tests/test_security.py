"""Hardening: headers on every page, no inline script, CSRF on forms, a clean deploy check."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.test import Client
from django.urls import reverse

from santuni.accounts.tests.personas import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted((ROOT / "santuni").glob("**/templates/**/*.html"))


@pytest.mark.django_db
def test_pages_send_a_content_security_policy_and_other_headers(client):
    response = client.get(reverse("directory:home"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_template_has_inline_script_or_style(template):
    html = template.read_text()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script>"
    assert not re.search(r"\son[a-z]+=", html), "inline event handler"
    assert not re.search(r"\sstyle=", html), "inline style"


@pytest.mark.django_db
def test_forms_refuse_a_post_without_the_csrf_token(personas):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        reverse("accounts:sign_in"),
        {"username": personas.cbo_head.user.email, "password": PASSWORD},
    )
    assert response.status_code == 403


def _deploy_check(tmp_path, **settings) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "SANTUNI", "DEBUG"))}
    env.update(
        SECRET_KEY="x9" * 30 + "-production-like-secret-key",
        SECURE_SSL="1",
        ALLOWED_HOSTS="santuni.example.my",
        DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3",
        SANTUNI_VAR_DIR=str(tmp_path),
        **settings,
    )
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_deploy_check_is_clean_under_production_settings(tmp_path):
    result = _deploy_check(
        tmp_path,
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        PERSONAL_HASH_KEY="h7" * 20,
        SANTUNI_BASE_URL="https://santuni.example.my",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_deploy_check_asks_for_keys_of_their_own_for_personal_data(tmp_path):
    result = _deploy_check(tmp_path)
    assert result.returncode != 0
    assert "santuni.W001" in result.stdout + result.stderr
