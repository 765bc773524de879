"""Product activations the data warehouse reports: what confirms an accepted offer, and what the
control group's uplift is measured with (``campaigns.conversions``)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .core import Customer, Product
from .targeting import LoadRun


class Conversion(models.Model):
    """A customer's activation of a product on a day, as the nightly conversions file states it.

    Keyed by the customer's external id, as target-group members are, so the uplift query joins
    members and conversions on that column with no look-up in between. The loader checks that
    customer and product exist, so the customer column carries no foreign-key constraint (as
    the members' does not). The same activation delivered again (a file sent twice, or a
    rolling window of days repeated) is stored once: it is unique by customer, product, day
    and order reference, and keeps the load run that brought it first.
    """

    customer = models.ForeignKey(
        Customer,
        to_field="external_id",
        db_column="customer_external_id",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,  # the unique (customer, product, day, order) index serves
        related_name="conversions",
        verbose_name=_("customer"),
    )
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="conversions", verbose_name=_("product")
    )
    activated_on = models.DateField(_("activated on"))
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=2, null=True, blank=True)
    order_ref = models.CharField(
        _("order reference"),
        max_length=64,
        blank=True,
        help_text=_(
            "Empty when the warehouse gives none (empty, not null, so it counts in the key)."
        ),
    )
    load_run = models.ForeignKey(
        LoadRun, on_delete=models.CASCADE, related_name="conversions", verbose_name=_("load run")
    )

    class Meta:
        verbose_name = _("conversion")
        verbose_name_plural = _("conversions")
        ordering = ["-activated_on"]
        constraints = [
            # Also the index of every look-up: a customer's activations of a product by day.
            models.UniqueConstraint(
                fields=["customer", "product", "activated_on", "order_ref"],
                name="conversion_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.product_id} {self.activated_on}"
