"""Email in both languages: the Malay text first, then the English, from one template."""

from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation


def render_bilingual(template: str, context: dict) -> tuple[str, str]:
    """(subject, body) of `<template>_subject.txt` and `<template>.txt` in Malay and English."""
    parts = {}
    for language in ("ms", "en"):
        with translation.override(language):
            subject = render_to_string(f"{template}_subject.txt", context).strip()
            parts[language] = (subject, render_to_string(f"{template}.txt", context).strip())
    subject = f"{parts['ms'][0]} / {parts['en'][0]}"
    return subject, f"{parts['ms'][1]}\n\n----------\n\n{parts['en'][1]}\n"


def send_bilingual(template: str, context: dict, recipients: list[str]) -> None:
    if recipients:
        subject, body = render_bilingual(template, context)
        send_mail(subject, body, None, recipients)
