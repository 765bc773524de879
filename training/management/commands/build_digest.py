"""``python manage.py build_digest [--week YYYY-Www] [--publish]``: draft the weekly sales digest
here and now (what the Monday 06:00 task does), for last week or for a week of your choice."""

from django.core.management.base import BaseCommand, CommandError

from training import digest


class Command(BaseCommand):
    help = (
        "Draft (or redraft) the sales training digest of last week, or of --week. A published "
        "digest is left as it is; a redrafted one keeps its comment and hidden items."
    )

    def add_arguments(self, parser):
        parser.add_argument("--week", default="", help="The ISO week, e.g. 2026-W15.")
        parser.add_argument(
            "--publish",
            action="store_true",
            help="Publish it at once, without waiting for a trainer's comment.",
        )

    def handle(self, *args, week: str, publish: bool, **options):
        try:
            week_start = digest.parse_week(week) if week else digest.last_week()
            built = digest.build_digest(week_start=week_start)
        except ValueError as exc:  # a badly written week, or one not over yet
            raise CommandError(str(exc)) from exc
        shown = built.items.count()
        if publish:
            digest.publish_digest(digest=built)
            built.refresh_from_db()
        state = "published" if built.is_published else "draft"
        self.stdout.write(f"Digest {built.week_label}: {shown} items, {state}.")
