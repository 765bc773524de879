from django.db import models
from django.utils.translation import gettext_lazy as _


class SiteKind(models.TextChoices):
    STORE = "store", _("Store")
    INBOUND_CENTRE = "inbound_centre", _("Inbound call centre")
    OUTBOUND_CENTRE = "outbound_centre", _("Outbound call centre")
    AGENCY = "agency", _("Outsourced agency")
