"""Deterministic demo data of the CVM side: customers, products, offers, campaigns.

Everything is keyed by code or external id and upserted, so running it again
changes nothing. Dates are anchored to the day it runs, so the live campaigns
are live whenever a newcomer starts the demo.
"""

from .catalogue import build_catalogue
from .customers import CUSTOMER_FIELDS, demo_customer, write_demo_inbox

__all__ = ["CUSTOMER_FIELDS", "build_catalogue", "demo_customer", "write_demo_inbox"]
