"""`check --deploy` asks for a field-encryption key of its own in production."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def field_keys(app_configs, **kwargs):
    if settings.SANTUNI["FIELD_KEYS"] and settings.SANTUNI["HASH_KEY"]:
        return []
    return [
        Warning(
            "Personal fields are encrypted with a key derived from SECRET_KEY.",
            hint="Set FIELD_ENCRYPTION_KEYS (Fernet keys, newest first) and PERSONAL_HASH_KEY.",
            id="santuni.W001",
        )
    ]
