"""`manage.py restore PATH`: the database replaced by a backup made with `manage.py backup`."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from santuni.audit.trail import checkpoint_path, write_checkpoint
from santuni.lib.backup import KINDS, BackupError, restore


class Command(BaseCommand):
    help = (
        "Replace the configured database (DATABASE_URL) with a backup made by `manage.py "
        "backup`, after checking that it is one, of the same kind of database. Stop the server "
        "and the worker first. SQLite: the backup is checked (integrity_check, Santuni's "
        "tables) and copied into the database file with SQLite's backup API in one "
        "transaction. PostgreSQL: pg_restore --clean --if-exists --no-owner "
        "--single-transaction, so a failed restore changes nothing; tables the backup does not "
        "have are left as they are. A database that already has tables is replaced only with "
        "--force. The server needs the same SECRET_KEY, FIELD_ENCRYPTION_KEYS, "
        "PERSONAL_HASH_KEY and AUDIT_KEY as the one the backup was made on."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The backup file to restore.")
        parser.add_argument(
            "--force", action="store_true", help="Replace a database that already has tables."
        )
        parser.add_argument(
            "--pg-bin", help="Folder of pg_restore (default: that of the server's version)."
        )

    def handle(self, *args, path, force, pg_bin, **options):
        started = time.perf_counter()
        connection = connections[DEFAULT_DB_ALIAS]
        try:
            result = restore(connection, Path(path), force=force, pg_bin=pg_bin)
        except BackupError as error:
            raise CommandError(f"Nothing restored: {error}") from None
        self.stdout.write(
            f"Restored {path} into the {KINDS[result.kind]} database: {result.tables} tables "
            f"({time.perf_counter() - started:.1f} s)."
        )
        executor = MigrationExecutor(connection)
        waiting = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if waiting:
            self.stdout.write(
                f"The backup is of an older version: run `manage.py migrate` "
                f"({len(waiting)} migrations to apply)."
            )
        # The restored trail ends earlier than the checkpoint saw: it is where it ends now.
        point, before = write_checkpoint(compare=False)
        if before is not None and before.last_id != point.last_id:
            self.stdout.write(
                f"The audit checkpoint ({checkpoint_path()}) saw {before.count} rows up to entry "
                f"#{before.last_id}; it now ends with the restored trail: {point.count} rows."
            )
        self.stdout.write("Check the audit trail with `manage.py verify_audit_chain`.")
