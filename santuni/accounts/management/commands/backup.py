"""`manage.py backup PATH`: the whole database to one checked file, while Santuni runs; and
a new audit checkpoint."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from santuni.audit.trail import CheckpointError, checkpoint_path, write_checkpoint
from santuni.lib.backup import KINDS, BackupError, backup


class Command(BaseCommand):
    help = (
        "Copy the whole database to PATH, safely while the server and the worker run. SQLite: "
        "an online backup (one consistent snapshot), checked with PRAGMA integrity_check. "
        "PostgreSQL: pg_dump's custom format, one snapshot, listed back to check it. The file "
        "holds personal data (MyKad and OKU card numbers stay encrypted with "
        "FIELD_ENCRYPTION_KEYS, which are not in it) and is made readable by its owner only "
        "(mode 0600): keep it as safe as the database, and keep the keys apart from it. "
        "Then the audit trail's checkpoint (AUDIT_CHECKPOINT) moves on to its end, unless rows "
        "are missing from the end since the last one: that fails the command, the backup made."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The backup file to write.")
        parser.add_argument("--force", action="store_true", help="Replace an existing file.")
        parser.add_argument(
            "--pg-bin",
            help="Folder of pg_dump and pg_restore (default: those of the server's version).",
        )

    def handle(self, *args, path, force, pg_bin, **options):
        started = time.perf_counter()
        try:
            result = backup(connections[DEFAULT_DB_ALIAS], Path(path), force=force, pg_bin=pg_bin)
        except BackupError as error:
            raise CommandError(f"No backup made: {error}") from None
        self.stdout.write(
            f"Backed up the {KINDS[result.kind]} database to {result.path}: {result.tables} "
            f"tables, {result.size / 1e6:.1f} MB, checked "
            f"({time.perf_counter() - started:.1f} s). It holds personal data: mode 0600."
        )
        # Where the audit trail ended, kept outside the database (and so outside the backup).
        try:
            point, _before = write_checkpoint()
        except CheckpointError as error:
            raise CommandError(f"Backed up to {result.path}, but {error}.") from None
        self.stdout.write(f"Audit checkpoint of {point.count} rows written to {checkpoint_path()}.")
