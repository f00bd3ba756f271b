"""Booklet builds queued before the task moved wait for it at its new path (the worker imports
the path stored in each row)."""

from django.db import migrations

OLD = "santuni.reports.services.build_booklet"
NEW = "santuni.reports.booklet.builds.build_booklet"


def _move(apps, source: str, target: str) -> None:
    # Only rows no worker has taken yet: a finished or running task is not run again.
    task_result = apps.get_model("django_tasks_database", "DBTaskResult")
    task_result.objects.filter(task_path=source, status="READY").update(task_path=target)


def forwards(apps, schema_editor):
    _move(apps, OLD, NEW)


def backwards(apps, schema_editor):
    _move(apps, NEW, OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_aid_statistics_seed"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
