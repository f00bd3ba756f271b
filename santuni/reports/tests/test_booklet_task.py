"""The booklet's background task stays where queued rows name it: the worker imports the path
stored in each row, and rows queued under the task's old path are moved to the new one."""

import importlib

import pytest
from django.apps import apps
from django_tasks_db.models import DBTaskResult, get_date_max

from santuni.reports.booklet import builds

pytestmark = pytest.mark.django_db

TASK_PATH = "santuni.reports.booklet.builds.build_booklet"
moving = importlib.import_module("santuni.reports.migrations.0003_booklet_task_path")


def queued(task_path: str, status: str = "READY") -> DBTaskResult:
    """A row as the database backend stores an enqueued task."""
    return DBTaskResult.objects.create(
        args_kwargs={"args": ["00000000-0000-0000-0000-000000000000"], "kwargs": {}},
        task_path=task_path,
        status=status,
        backend_name="default",
        queue_name="default",
        run_after=get_date_max(),
        exception_class_path="",
        traceback="",
    )


def test_the_booklet_task_is_stored_and_found_at_its_documented_path():
    assert builds.build_booklet.module_path == TASK_PATH
    # What the worker does with a row it takes.
    found = queued(TASK_PATH).task
    assert found.func is builds.build_booklet.func


def test_builds_queued_under_the_old_path_wait_for_the_task_at_the_new_one():
    assert moving.NEW == TASK_PATH
    waiting = queued(moving.OLD)
    done = queued(moving.OLD, status="SUCCESSFUL")

    moving.forwards(apps, None)
    waiting.refresh_from_db()
    done.refresh_from_db()
    assert waiting.task_path == TASK_PATH
    assert waiting.task.func is builds.build_booklet.func
    # A task that already ran keeps the path it ran under.
    assert done.task_path == moving.OLD

    moving.backwards(apps, None)
    waiting.refresh_from_db()
    assert waiting.task_path == moving.OLD
