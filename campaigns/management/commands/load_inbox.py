"""``python manage.py load_inbox``: load the warehouse files waiting in the inbox (and queue
again the runs a dead worker or an unreachable task queue left behind)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from campaigns.choices import LoadStatus
from campaigns.loads import files, runs
from campaigns.tasks import load_file_task


class Command(BaseCommand):
    help = (
        "Register the ready files of the inbox (CVM_INBOX) and load them (queued, or here with "
        "--sync). Queued: stranded runs are queued again first."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--sync",
            action="store_true",
            help="Load here and now instead of queueing Celery tasks.",
        )
        parser.add_argument(
            "--file", type=Path, help="Load this one file of the inbox (its .ok marker must exist)."
        )

    def handle(self, *args, sync: bool, file: Path | None, **options):
        if file is not None:
            path = file if file.is_absolute() else files.inbox_dir() / file
            if path.parent.resolve() != files.inbox_dir().resolve():
                raise CommandError(
                    f"{path} is not in the inbox {files.inbox_dir()}; move it there first."
                )
            try:
                info = files.parse_name(path)
            except files.FileRejected as exc:
                raise CommandError(str(exc)) from exc
            if not path.exists():
                raise CommandError(f"{path} does not exist.")
            if not files.is_regular_file(path):
                raise CommandError(
                    f"{path.name} is a symbolic link or not a regular file; copy the file itself "
                    "into the inbox."
                )
            if not info.is_ready:
                raise CommandError(f"{path.name} has no completion marker {info.marker.name} yet.")
            ready = [info]
        else:
            ready = runs.pending_files()
        if not sync:
            for run in runs.retake_stranded():
                self.stdout.write(f"{run.file_name}: run #{run.pk} was stranded; queued again")
        if not ready:
            self.stdout.write(f"Nothing to load in {files.inbox_dir()}.")
            return
        with transaction.atomic():
            registered = [runs.register_file(info, started_by="command") for info in ready]
        unqueued = 0
        for run in registered:
            if run.status != LoadStatus.PENDING:
                self.stdout.write(self.style.ERROR(f"{run.file_name}: {run.error}"))
                continue
            if sync:
                load_file_task.apply(args=[run.pk])
                run.refresh_from_db()
                style = (
                    self.style.SUCCESS if run.status == LoadStatus.SUCCEEDED else self.style.WARNING
                )
                detail = run.error or f"{run.rows_loaded:,} loaded, {run.rows_rejected:,} rejected"
                self.stdout.write(style(f"{run.file_name}: {run.get_status_display()} — {detail}"))
            else:
                runs.queue_run(run)  # outside a transaction: handed over here and now
                if run.queue_error:
                    unqueued += 1
                    self.stderr.write(
                        self.style.ERROR(
                            f"{run.file_name}: registered as run #{run.pk} but not queued: the "
                            f"task queue did not answer ({run.queue_error}). It is queued "
                            "automatically once the queue answers, or load it here with "
                            f"--sync --file {run.file_name}."
                        )
                    )
                else:
                    self.stdout.write(f"{run.file_name}: queued as run #{run.pk}")
        if unqueued:
            raise CommandError(
                f"{unqueued} file(s) registered but not queued: the task queue (Redis) is not answering."
            )
