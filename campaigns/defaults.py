"""Reference data the portal starts with (written by a migration; the demo makes sure of it too)."""

# (code, English label, Polish label, days the declined offer is not shown again; None = never
# again). The labels are what an agent records about the customer: neutral, not addressed to
# anyone ("Już to ma", not "Już to masz").
DECLINE_REASONS = [
    ("price", "Too expensive", "Za drogo", 30),
    ("not_interested", "Not interested", "Brak zainteresowania", 60),
    ("bad_timing", "Not now — ask again later", "Nie teraz — zapytać później", 14),
    ("already_has_it", "Already has it", "Już to ma", None),
    ("other", "Other", "Inny powód", 30),
]


def ensure_decline_reasons(DeclineReason) -> None:  # noqa: N803 - a model class, historical or current
    """Create the seeded reasons that are missing, in both languages once the model keeps both
    (migration 0007 runs before the language columns exist)."""
    bilingual = any(f.name == "label_pl" for f in DeclineReason._meta.get_fields())
    for position, (code, label, label_pl, days) in enumerate(DECLINE_REASONS):
        defaults = {"label": label, "suppression_days": days, "position": position}
        if bilingual:
            defaults.update(label_en=label, label_pl=label_pl)
        DeclineReason.objects.get_or_create(code=code, defaults=defaults)


# (code, English name, Polish name, objectives it rules out). Offers of the other objectives
# (retention, win-back) stay: a customer who wants to cancel may well be offered to stay.
INTENTS = [
    ("upgrade", "Upgrade", "Zmiana na lepszy plan", []),
    ("cancel", "Cancel", "Rezygnacja", ["upsell", "cross_sell"]),
    ("complaint", "Complaint", "Reklamacja", ["upsell", "cross_sell"]),
    ("roaming", "Roaming", "Roaming", []),
    ("moving", "Moving house", "Przeprowadzka", []),
]


def ensure_intents(Intent) -> None:  # noqa: N803 - a model class, historical or current
    """Create the seeded intents that are missing, in both languages."""
    for position, (code, name, name_pl, objectives) in enumerate(INTENTS):
        Intent.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name,
                "name_pl": name_pl,
                "position": position,
                "excluded_objectives": objectives,
            },
        )
