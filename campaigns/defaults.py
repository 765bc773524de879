"""Reference data the portal starts with (written by a migration; the demo makes sure of it too)."""

# (code, label, days the declined offer is not shown again; None = never again)
DECLINE_REASONS = [
    ("price", "Too expensive", 30),
    ("not_interested", "Not interested", 60),
    ("bad_timing", "Not now — ask again later", 14),
    ("already_has_it", "Already has it", None),
    ("other", "Other", 30),
]


def ensure_decline_reasons(DeclineReason) -> None:  # noqa: N803 - a model class, historical or current
    for position, (code, label, days) in enumerate(DECLINE_REASONS):
        DeclineReason.objects.get_or_create(
            code=code, defaults={"label": label, "suppression_days": days, "position": position}
        )
