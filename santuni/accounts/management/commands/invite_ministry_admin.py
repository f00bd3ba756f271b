"""Invites the first ministry admin (later ones are invited in the app); prints the link."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from santuni.accounts.models import Role
from santuni.accounts.services import invitation_send
from santuni.lib.domain import Refusal


class Command(BaseCommand):
    help = "Email an invitation to become a ministry admin, and print its link."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--name", default="")
        parser.add_argument("--language", choices=["ms", "en"], default="ms")

    def handle(self, *args, email, name, language, **options):
        try:
            validate_email(email)
            _invitation, link = invitation_send(
                actor=None, email=email, role=Role.MINISTRY_ADMIN, name=name, language=language
            )
        except (ValidationError, Refusal) as error:
            raise CommandError(" ".join(getattr(error, "messages", [str(error)]))) from None
        self.stdout.write(f"Invitation sent to {email}. Link (valid once): {link}")
