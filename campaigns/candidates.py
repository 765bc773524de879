"""What a decision is made of: its candidates (an offer that could be shown, and what the
decision made of it) and its result. ``campaigns.decisioning`` makes them; the console, the API,
"why not?" (``campaigns.why_not``) and the preview read them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from .choices import Exclusion
from .models import Campaign, Customer, Decision, EligibilityRule, Offer, Presentation, Response


@dataclass
class Candidate:
    """An offer that could be shown to the customer, and what the decision made of it."""

    offer: Offer
    campaign: Campaign
    propensity: float | None
    value: Decimal
    is_control: bool
    score: float = 0.0
    reason: str = ""
    excluded: Exclusion | None = None
    # The sentence for people, or a function that writes it: most candidates' sentences are
    # never read (only "why not?" reads them), and writing ~100 of them cost a quarter of a
    # decision. Read through ``explanation``, which writes it once, in the language active then.
    explained: object = field(default="", repr=False)
    # When the exclusion ends by itself (None: not by itself, or never) and the contact it
    # counts from (a decline, the campaign's last contact): for "why not?".
    available_from: datetime | None = None
    since: datetime | None = None
    # Excluded only because a control-group offer took its place: telling it would tell that
    # the customer is in a control group, so nobody is told (campaigns.why_not).
    tells_of_control: bool = False
    presentation: Presentation | None = None
    rule: EligibilityRule | None = None  # set for always-on offers
    customer: Customer | None = None  # the reason speaks of them (campaigns.reasons)
    member_reason: str = ""  # the target-group file's reason for this customer, if it gave one
    context: object = None  # the request's campaigns.context.DecisionContext, if it had one
    # Learning (campaigns.learning.serving): the learned likelihood and the presentations of the
    # customer's group behind it (for the reason), and the Thompson sample the score used
    # instead of ``propensity`` when this decision explores.
    learned: float | None = None
    evidence: int = 0
    sampled: float | None = None

    @property
    def explanation(self) -> str:
        if callable(self.explained):
            self.explained = self.explained()
        return self.explained


@dataclass
class Result:
    decision: Decision
    offers: list[Candidate] = field(default_factory=list)  # shown, best first
    held_out: list[Candidate] = field(default_factory=list)  # control group: recorded, not shown
    excluded: list[Candidate] = field(default_factory=list)  # with the filter that removed each
    reused: bool = False  # the agent's earlier decision in this contact, recorded before
    recorded: dict[int, Response] = field(default_factory=dict)  # presentation id → its outcome
