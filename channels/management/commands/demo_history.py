"""``python manage.py demo_history``: weeks of past contacts for the demo, so the programme
results (``/cvm/results/``) have trends, rankings and an uplift to show. Run it after
``manage.py demo``; it does nothing where past contacts exist already (``make demo`` twice
keeps one history), unless ``--again``."""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from campaigns.learning.refresh import refresh
from campaigns.models import Decision
from channels.demo_history import build_history
from channels.insights.notes_demo import build_need_notes_demo
from channels.recordings.demo import build_recordings_demo


class Command(BaseCommand):
    help = "Write past contacts (decisions, outcomes, call attempts) for the demo's agents."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=28, help="Days back (default 28).")
        parser.add_argument(
            "--contacts", type=int, default=5, help="Contacts per agent a day (default 5)."
        )
        parser.add_argument("--seed", type=int, default=15, help="Random seed (default 15).")
        parser.add_argument(
            "--again", action="store_true", help="Add another set even if a history exists."
        )

    def handle(self, *args, days: int, contacts: int, seed: int, again: bool, **options):
        if settings.CVM_PRODUCTION:
            raise CommandError("Demo history refuses to run in production mode.")
        if not 1 <= days <= 366 or not 1 <= contacts <= 100:
            raise CommandError("--days must be 1–366 and --contacts 1–100.")
        if (
            not again
            and Decision.objects.filter(created_at__lt=timezone.now() - timedelta(days=1)).exists()
        ):
            self.stdout.write("Demo history: past contacts exist already; nothing added.")
            return
        written = build_history(days=days, contacts=contacts, seed=seed)
        self.stdout.write(
            self.style.SUCCESS(
                "Demo history: {decisions:,} decisions, {outcomes:,} outcomes, {attempts:,} call "
                "attempts; {rollup_rows:,} rollup rows.".format(**written)
            )
        )
        notes = build_need_notes_demo()
        self.stdout.write(self.style.SUCCESS(f"Demo history: {notes} customer-need notes."))
        recordings = build_recordings_demo()
        self.stdout.write(
            self.style.SUCCESS(
                "Demo history: {recordings} call recordings, {research_items} in last week's "
                "research queue.".format(**recordings)
            )
        )
        run = refresh(full=True)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo history: propensities learned from {run.responses:,} outcomes."
            )
        )
