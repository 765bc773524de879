"""What the programme results (``campaigns.results``) ask of training: how far the people
assigned a campaign's published guides have got. Registered by ``TrainingConfig.ready``."""

from __future__ import annotations

from django.db.models import Count, OuterRef, Q

from campaigns.results.sources import Completion, Training

from .models import Assignment, counting_completion


class ResultsTraining(Training):
    """Assignments of a campaign's published guides and how many still count as completed."""

    def completion(self, campaign_id: int, *, site_id: int | None = None) -> Completion:
        assignments = Assignment.objects.filter(
            guide__campaigns=campaign_id, guide__current_version__isnull=False
        )
        if site_id is not None:
            assignments = assignments.filter(site_id=site_id)
        counts = assignments.annotate(
            done=counting_completion(OuterRef("user_id"), OuterRef("guide_id"))
        ).aggregate(assigned=Count("pk"), completed=Count("pk", filter=Q(done=True)))
        return Completion(counts["assigned"], counts["completed"])
