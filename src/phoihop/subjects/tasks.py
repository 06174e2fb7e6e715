"""Background jobs of the subjects app, worked by `phoihop worker` (django-tasks, database queue)."""

from django_tasks import task

from phoihop.subjects import imports


@task()
def import_commit_task(job_id: int) -> dict[str, int]:
    """Create the persons of a checked import, all or nothing (subjects.imports.import_run)."""
    return imports.import_run(job_id)
