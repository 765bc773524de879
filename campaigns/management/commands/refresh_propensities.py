"""``python manage.py refresh_propensities [--incremental]``: relearn every offer's likelihood
of acceptance from the outcomes recorded (nightly, after a deploy, after outcomes were
corrected); ``--incremental`` adds only the outcomes since the last run."""

from django.core.management.base import BaseCommand

from campaigns.learning.refresh import RefreshBusy, refresh


class Command(BaseCommand):
    help = (
        "Relearn the propensities (offer × channel kind × segment × value tier) from every "
        "outcome recorded; --incremental adds only those since the last run."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--incremental",
            action="store_true",
            help="Add only the outcomes recorded since the last run (the first run is full).",
        )

    def handle(self, *args, incremental: bool, **options):
        try:
            run = refresh(full=not incremental)
        except RefreshBusy:
            self.stdout.write(self.style.WARNING("Another refresh is running; nothing done."))
            return
        seconds = (run.finished_at - run.started_at).total_seconds()
        self.stdout.write(
            self.style.SUCCESS(
                f"{run.get_kind_display()} refresh: {run.responses:,} outcomes read up to "
                f"#{run.up_to_response_id} in {seconds:.1f} s."
            )
        )
