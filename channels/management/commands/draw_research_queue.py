"""``python manage.py draw_research_queue``: sample a week's call recordings into the research
queue (default: last week, as the Monday schedule does). Running it twice adds nothing."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from channels.recordings.research import draw_queue, last_week, monday_of


class Command(BaseCommand):
    help = "Draw the research queue of a week's call recordings (default: last week)."

    def add_arguments(self, parser):
        parser.add_argument("--week", help="A day of the week to draw (YYYY-MM-DD).")
        parser.add_argument(
            "--per-stratum",
            type=int,
            help="Recordings per campaign and outcome (default CVM_RESEARCH_PER_STRATUM).",
        )

    def handle(self, *args, week: str | None, per_stratum: int | None, **options):
        try:
            monday = monday_of(date.fromisoformat(week)) if week else last_week()
        except ValueError as exc:
            raise CommandError(f"--week {week!r}: use YYYY-MM-DD.") from exc
        if per_stratum is not None and not 1 <= per_stratum <= 100:
            raise CommandError("--per-stratum must be 1–100.")
        added = draw_queue(week=monday, per_stratum=per_stratum)
        self.stdout.write(
            self.style.SUCCESS(f"Research queue, week of {monday.isoformat()}: {added} added.")
        )
