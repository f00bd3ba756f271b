"""Background work of the reports: building a printed booklet the officer asked for."""

from django_tasks import task

from . import services


@task()
def build_booklet(booklet_id: str) -> int:
    """Builds the queued booklet; returns its number of pages."""
    return services.run_queued(booklet_id).pages or 0
