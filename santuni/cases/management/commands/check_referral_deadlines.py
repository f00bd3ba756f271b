"""Escalates referrals past their target times. Run it from cron every 5 minutes."""

from django.core.management.base import BaseCommand

from santuni.cases.services.escalation import referrals_escalate


class Command(BaseCommand):
    help = "Escalate referrals not answered or not completed in time (run every 5 minutes)."

    def handle(self, *args, **options):
        counts = referrals_escalate()
        self.stdout.write(
            f"escalated: {counts['acknowledge']} not answered, {counts['complete']} not completed"
        )
