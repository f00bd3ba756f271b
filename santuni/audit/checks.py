"""`check --deploy` asks for an audit trail key of its own in production."""

from django.conf import settings
from django.core.checks import Tags, Warning, register
from django.utils.translation import gettext as _


@register(Tags.security, deploy=True)
def audit_key(app_configs, **kwargs):
    if settings.SANTUNI["AUDIT_KEY"]:
        return []
    return [
        Warning(
            _(
                "The audit trail is signed with SECRET_KEY: changing SECRET_KEY would make "
                "every audit row written so far fail verify_audit_chain."
            ),
            hint=_(
                "Set AUDIT_KEY, once, and keep it apart from SECRET_KEY. Where audit rows "
                "exist already, set it to the current SECRET_KEY, which signed them."
            ),
            id="santuni.W003",
        )
    ]
