"""Checks the audit trail's hash chain and its end against the last checkpoint; exits
non-zero and names the first broken row, or the last row the checkpoint saw."""

from django.core.management.base import BaseCommand, CommandError

from santuni.audit.models import AuditEntry
from santuni.audit.trail import (
    CheckpointError,
    checkpoint_path,
    verify_chain,
    write_checkpoint,
)


class Command(BaseCommand):
    help = (
        "Check that no audit trail row was altered, renumbered or removed: the hash chain, "
        "then its end against the signed checkpoint kept outside the database (AUDIT_CHECKPOINT), "
        "which is moved on to the trail's end when all is well."
    )

    def handle(self, *args, **options):
        checked, broken = verify_chain()
        if broken is not None:
            raise CommandError(
                f"Audit chain broken at entry #{broken.entry_id}: {broken.reason} "
                f"({checked} rows before it are intact)."
            )
        try:
            point, _before = write_checkpoint()
        except CheckpointError as error:
            raise CommandError(f"The chain holds, but {error}.") from None
        last = AuditEntry.objects.order_by("-id").first()
        head = f"; last entry #{last.pk}, hash {last.hash}" if last else ""
        self.stdout.write(
            f"Audit chain intact: {checked} entries{head}. Checkpoint of {point.count} rows "
            f"written to {checkpoint_path()}."
        )
