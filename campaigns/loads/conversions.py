"""The conversions load: the product activations of the warehouse's nightly
``conversions__YYYYMMDD`` file, checked row by row and stored in one transaction, so either
every good row lands or none does (see docs/loads.md, "Conversions").

An activation already stored (the same customer, product, day and order reference, from an
earlier file) is kept once: a file delivered again, or a rolling window of days the warehouse
repeats, never counts twice. On both databases the rows go in through the ORM, 5,000 at a
time; like the customer snapshot, the run's row counts are written when the load ends.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.choices import LoadStatus, RejectReason
from campaigns.loads.batched import BATCH, file_rows, reject_row
from campaigns.loads.files import InboxFile
from campaigns.loads.rules import NUMBER_RE, Reject, not_a_number, past_date
from campaigns.models import Conversion, Customer, LoadReject, LoadRun, Product

MAX_VALUE = Decimal("9999999999")
ORDER_REF_LENGTH = 64


def _missing(column: str) -> Reject:
    return Reject(RejectReason.MISSING_VALUE, _("%(column)s is empty") % {"column": column})


def parse_conversion(fields: dict[str, str], *, today: date) -> dict:
    """The typed values of a conversions row, or Reject (customer and product are checked by
    the caller, against the portal's customers and products)."""
    customer = fields.get("customer_id", "").strip()
    product = fields.get("product_code", "").strip().upper()
    day_text = fields.get("activated_on", "").strip()
    for column, text in (
        ("customer_id", customer), ("product_code", product), ("activated_on", day_text),
    ):  # fmt: skip
        if not text:
            raise _missing(column)
    day = past_date("activated_on", day_text, today)
    value = None
    value_text = fields.get("value", "").strip()
    if value_text:
        if not NUMBER_RE.match(value_text):
            raise not_a_number("value", value_text)
        value = Decimal(value_text).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        if not 0 <= value <= MAX_VALUE:
            raise Reject(
                RejectReason.OUT_OF_RANGE,
                _("value %(value)s is out of range (0 to 9999999999)") % {"value": value_text[:40]},
            )
    order_ref = fields.get("order_ref", "").strip()
    if len(order_ref) > ORDER_REF_LENGTH:
        raise Reject(
            RejectReason.OUT_OF_RANGE,
            _("order_ref is longer than %(n)d characters") % {"n": ORDER_REF_LENGTH},
        )
    return {
        "customer": customer,
        "product": product,
        "activated_on": day,
        "value": value,
        "order_ref": order_ref,
    }


class ConversionRules:
    """The row rules of a conversions file, for rows in file order (batch by batch): which rows
    become conversions and which are rejected, and why."""

    def __init__(self, *, run: LoadRun, today: date):
        self.run, self.today = run, today
        self.products = dict(Product.objects.values_list("code", "pk"))
        # (customer, product, day, order reference) → the line that loaded it
        self.seen: dict[tuple, int] = {}

    def check(self, batch: list[tuple[int, dict[str, str]]]):
        """(conversions, rejects) of a batch of (line, {column: text}) rows."""
        ids = {f.get("customer_id", "").strip() for _line, f in batch}
        customers = set(
            Customer.objects.filter(external_id__in=ids).values_list("external_id", flat=True)
        )
        conversions, rejects = [], []
        for line, fields in batch:
            try:
                values = parse_conversion(fields, today=self.today)
                product_id = self._known(values, customers)
                key = (values["customer"], product_id, values["activated_on"], values["order_ref"])
                if key in self.seen:
                    raise Reject(
                        RejectReason.DUPLICATE,
                        _("the same activation is already on line %(line)d")
                        % {"line": self.seen[key]},
                    )
            except Reject as reject:
                rejects.append(reject_row(self.run, line, reject, fields))
                continue
            self.seen[key] = line
            conversions.append(
                Conversion(
                    customer_id=values["customer"],
                    product_id=product_id,
                    activated_on=values["activated_on"],
                    value=values["value"],
                    order_ref=values["order_ref"],
                    load_run=self.run,
                )
            )
        return conversions, rejects

    def _known(self, values: dict, customers: set[str]) -> int:
        """The product's id, once customer and product are known to the portal; else Reject."""
        if values["customer"] not in customers:
            raise Reject(
                RejectReason.UNKNOWN_CUSTOMER,
                _("customer %(id)s is not in the customer snapshot")
                % {"id": values["customer"][:64]},
            )
        product_id = self.products.get(values["product"])
        if product_id is None:
            raise Reject(
                RejectReason.UNKNOWN_PRODUCT,
                _("product %(code)s is not in the portal's products")
                % {"code": values["product"][:40]},
            )
        return product_id


def load_conversions(*, run: LoadRun, info: InboxFile) -> LoadRun:
    """Store the file's good activations and quarantine the rest, in one transaction; an
    activation stored before is kept once. Ends the run as loaded."""
    _names, _extra, rows = file_rows(info)
    rules = ConversionRules(run=run, today=timezone.localdate())
    loaded = rejected = done = 0
    with transaction.atomic():
        batch: list[tuple[int, dict[str, str]]] = []

        def flush():
            nonlocal loaded, rejected
            conversions, rejects = rules.check(batch)
            # The same activation from an earlier file stays as it is, with its first run.
            Conversion.objects.bulk_create(conversions, batch_size=BATCH, ignore_conflicts=True)
            LoadReject.objects.bulk_create(rejects, batch_size=BATCH)
            loaded += len(conversions)
            rejected += len(rejects)
            batch.clear()

        for line, fields in rows:
            batch.append((line, fields))
            done += 1
            if len(batch) >= BATCH:
                flush()
        if batch:
            flush()
        known = loaded - Conversion.objects.filter(load_run=run).count()
        LoadRun.objects.filter(pk=run.pk).update(
            status=LoadStatus.SUCCEEDED,
            finished_at=timezone.now(),
            rows_done=done,
            rows_loaded=loaded,
            rows_rejected=rejected,
            error_code="already_stored" if known else "",
            error_params={"known": known} if known else {},
        )
    run.refresh_from_db()
    return run
