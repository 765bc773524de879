"""The customer-need taxonomy's first tags, seeded by migration 0031; CVM managers keep the list
in the admin from then on (campaigns/need_admin.py)."""

from __future__ import annotations

# (code, English label, Polish label, description)
NEEDS = [
    ("cheaper_plan", "Wants a cheaper plan", "Chce tańszy abonament", "Finds the bill too high."),
    (
        "coverage",
        "Coverage problem",
        "Problem z zasięgiem",
        "Weak signal or slow data at home, at work or on the way.",
    ),
    (
        "competitor_offer",
        "Competitor offer",
        "Oferta konkurencji",
        "Mentions a better offer from another operator.",
    ),
    ("moving_house", "Moving house", "Przeprowadzka", "Moving soon: home internet, address."),
    ("device_broken", "Device broken", "Uszkodzone urządzenie", "Phone or router broken or lost."),
    (
        "more_data",
        "Wants more data",
        "Chce więcej danych",
        "Runs out of data before the month ends.",
    ),
    (
        "billing_question",
        "Billing question",
        "Pytanie o rachunek",
        "Does not understand a charge or the bill.",
    ),
    (
        "tv_entertainment",
        "Wants TV / entertainment",
        "Chce TV / rozrywkę",
        "Asks about TV, streaming or gaming services.",
    ),
]


def ensure_needs(NeedTag) -> None:  # noqa: N803 - a model class, historical or current
    """Create the seeded needs that are missing, in both languages; existing ones (perhaps
    renamed by a CVM manager) stay as they are."""
    for position, (code, label, label_pl, description) in enumerate(NEEDS, start=1):
        NeedTag.objects.get_or_create(
            code=code,
            defaults={
                "label": label,
                "label_en": label,
                "label_pl": label_pl,
                "description": description,
                "position": position * 10,
            },
        )
