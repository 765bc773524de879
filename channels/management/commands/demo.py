"""``python manage.py demo``: a realistic, deterministic demo; safe to run again."""

import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from campaigns.choices import LoadStatus
from campaigns.demo import build_catalogue, write_demo_inbox
from campaigns.loads import runs
from campaigns.loads.files import inbox_dir
from campaigns.roadmap.demo import build_roadmap_demo
from campaigns.tasks import load_file_task
from channels.capacity.demo import build_capacity
from channels.demo import (
    DEMO_PASSWORD,
    ROLE_LOGINS,
    build_api_client,
    build_bonus,
    build_handover,
    build_outbound,
    build_sites_and_people,
)
from training.demo import build_training


class Command(BaseCommand):
    help = (
        "Build the demo: 5 sites, 30 agents, 20,000 customers, 8 products, 12 offers, 6 campaigns."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--customers",
            type=int,
            default=20_000,
            help="How many customers to create (default 20,000).",
        )

    def handle(self, *args, customers: int, **options):
        if settings.CVM_PRODUCTION:
            raise CommandError(
                "The demo refuses to run in production mode (DJANGO_DEBUG=false): it creates "
                "users with a published password."
            )
        if customers < 1:
            raise CommandError("--customers must be at least 1.")
        started = time.monotonic()
        people = build_sites_and_people()
        admin_user = get_user_model().objects.get(username="cvm1")
        catalogue = build_catalogue(owner=admin_user)
        self.stdout.write(
            f"Sites: {people['sites']}, agents: {people['agents']}, products: {catalogue['products']}, "
            f"offers: {catalogue['offers']}, campaigns: {catalogue['campaigns']}."
        )
        # The warehouse files go through the real load path: inbox, runs, checks, versions.
        write_demo_inbox(inbox_dir(), customer_count=customers)
        for info in runs.pending_files():
            run = runs.register_file(info, started_by="demo")
            if run.status == LoadStatus.PENDING:
                load_file_task.apply(args=[run.pk])
                run.refresh_from_db()
            outcome = (
                run.error
                if run.status != LoadStatus.SUCCEEDED
                else f"{run.rows_loaded:,} loaded, {run.rows_rejected:,} rejected"
            )
            self.stdout.write(f"Load {run.file_name}: {run.get_status_display()} — {outcome}")
        leads = build_outbound()
        self.stdout.write(f"Today's outbound call lists: {leads:,} new leads.")
        self.stdout.write(
            "Training: {guides} guide(s), {assigned} people assigned.".format(**build_training())
        )
        if build_bonus():
            self.stdout.write("This month's bonus plan: every agent sees their statement.")
        self.stdout.write(f"Capacity plans: {build_capacity()} sites with rosters.")
        self.stdout.write(f"Roadmap board: {build_roadmap_demo()} channel items, 3 initiatives.")
        self.stdout.write(self.style.SUCCESS(f"Demo ready in {time.monotonic() - started:.1f} s."))
        self.stdout.write("")
        self.stdout.write(
            f"Sign in at http://127.0.0.1:8000/ — every password is {DEMO_PASSWORD!r}:"
        )
        for username, _role, description in ROLE_LOGINS:
            self.stdout.write(f"  {username:<12} {description}")
        self.stdout.write("")
        self.stdout.write(
            "REST API for digital channels (a new demo key each run; the old one stops working):"
        )
        self.stdout.write(
            "  curl -X POST http://127.0.0.1:8000/api/v1/decisions/ -H 'Content-Type: application/json' "
            f"-H 'Authorization: Api-Key {build_api_client()}' "
            """-d '{"customer_id": "C0000001", "channel_kind": "web"}'"""
        )
        if build_handover():
            self.stdout.write(
                "A chatbot hand-over waits for an inbound agent: sign in as callcentre1."
            )
