"""A password that breaks the rules is refused in the page's language only: Django's Malay
catalogue leaves "too short" in English and says "too short" for "too common"."""

import pytest
from django.contrib.auth import password_validation
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils import translation


def refusals(password: str, language: str) -> list[str]:
    with translation.override(language):
        probe = User(username="budi@example.invalid", email="budi@example.invalid")
        with pytest.raises(ValidationError) as refused:
            password_validation.validate_password(password, probe)
        return refused.value.messages


def test_a_short_common_password_is_refused_once_in_malay():
    assert refusals("password", "ms") == [
        "Kata laluan ini terlalu pendek. Ia mesti mengandungi sekurang-kurangnya 10 aksara.",
        "Kata laluan ini terlalu biasa digunakan.",
    ]


def test_and_once_in_english():
    assert refusals("password", "en") == [
        "This password is too short. It must contain at least 10 characters.",
        "This password is too common.",
    ]
