"""The learned propensities and their refresh runs in the admin: read-only lists for CVM
managers (the refresh writes them; ``manage.py refresh_propensities`` runs one by hand)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from cvm_portal import formatting as fmt
from cvm_portal.admin import ReadOnlyAdmin

from ..models import LearnedPropensity, LearningRun


@admin.register(LearnedPropensity)
class LearnedPropensityAdmin(ReadOnlyAdmin):
    """Per offer, channel kind and customer group: the prior, the evidence and what was learned."""

    list_display = [
        "offer", "channel_kind", "segment", "value_tier", "prior_shown", "presented", "accepted",
        "learned_shown", "refreshed_at",
    ]  # fmt: skip
    list_filter = ["channel_kind", "segment", "value_tier"]
    search_fields = ["offer__code", "offer__title"]
    list_select_related = ["offer"]

    @admin.display(description=_("prior acceptance"), ordering="prior")
    def prior_shown(self, obj: LearnedPropensity) -> str:
        return fmt.percent(obj.prior, 1)

    @admin.display(description=_("learned acceptance"))
    def learned_shown(self, obj: LearnedPropensity) -> str:
        return fmt.percent(obj.mean, 1)


@admin.register(LearningRun)
class LearningRunAdmin(ReadOnlyAdmin):
    """Each refresh: full or incremental, how many outcomes, up to which, and any error."""

    list_display = ["started_at", "kind", "finished_at", "responses", "up_to_response_id", "error"]
    list_filter = ["kind"]
    date_hierarchy = "started_at"
