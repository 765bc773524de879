"""``python manage.py rebuild_results [--since YYYY-MM-DD]``: rewrite the programme results'
daily rollups from the raw rows (history, after a deploy, or after data was corrected), then
every campaign's uplift."""

from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Min
from django.utils import timezone

from campaigns.models import Decision
from campaigns.results import programme, rollups


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"{value!r} is not a date: write it as YYYY-MM-DD.") from exc


class Command(BaseCommand):
    help = (
        "Rewrite the results rollups (contacts, outcomes, confirmed conversions, reach, outbound "
        "work) of every day from --since to today, a week per transaction; safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--since",
            type=_day,
            help="First day to rewrite (YYYY-MM-DD); default: the day of the first decision.",
        )
        parser.add_argument("--until", type=_day, help="Last day (default: today).")

    def handle(self, *args, since: date | None, until: date | None, **options):
        today = timezone.localdate()
        until = until or today
        if since is None:
            first = Decision.objects.aggregate(first=Min("created_at"))["first"]
            since = timezone.localdate(first) if first else today
        if since > until:
            raise CommandError(f"--since {since} comes after --until {until}.")
        if until > today + timedelta(days=1):
            raise CommandError(f"--until {until} is in the future: nothing has happened there.")

        def progress(first: date, last: date, written: int) -> None:
            self.stdout.write(f"{first} – {last}: {written:,} rows so far")

        refreshed = rollups.rebuild(since=since, until=until, progress=progress)
        campaigns = programme.refresh_uplift()
        self.stdout.write(
            self.style.SUCCESS(
                f"Rewrote {since} – {until}: {refreshed.rows:,} rollup rows; uplift of "
                f"{campaigns} campaigns cached."
            )
        )
