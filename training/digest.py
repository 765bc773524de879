"""The weekly sales training digest: what sold best last week, per channel kind, across campaigns.

How it works:

- **Drafted** every Monday at 06:00 (``training.build_weekly_digest``, a Celery beat task) for
  the previous ISO week, Monday 00:00 to Monday 00:00 in the portal's time zone.
- **Top offers** per channel kind, ranked by the lower bound of the 95 % Wilson interval of
  their acceptance rate (accepted ÷ presented), so that 2 accepted of 2 presented does not beat
  60 of 100; ties go to the lower bound of the confirmed conversion rate. Offers presented fewer
  than ``settings.CVM_DIGEST_MIN_PRESENTATIONS`` times in a channel kind are left out. Each comes
  with its script (or, in digital channels, its message) as it read that week.
- **Objections** per channel kind: the decline reasons customers gave most, each with the offer
  whose pitch heard it least often (lowest upper Wilson bound of the share of its contacts
  declined for that reason). The portal does not record what an agent answered to an objection;
  the pages say so.
- **What customers asked for** per channel kind: the needs agents' notes named most that week,
  each with its share of the kind's notes and the latest (masked) quote. The notes live on the
  delivery side, which answers through ``training.needs_source``.
- **Confirmed** conversions come from one function, ``confirmed_counts`` (the warehouse's
  activations, ``campaigns.conversions``); by Monday only part of them has arrived, so the pages
  call them "confirmed so far".
- A trainer (or CVM manager) may add a comment and hide items, then publish. A draft nobody
  publishes goes out by itself at Monday 12:00 (or six hours after it was built, if later),
  without a comment (``training.publish_due_digests``, hourly). Agents see published digests
  only.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns import channel_registry
from campaigns.choices import Outcome
from campaigns.conversions import confirmed_for_responses
from campaigns.models import Offer, OfferContent, Response
from campaigns.results.uplift import wilson

from . import needs_source
from .choices import DigestSection, DigestStatus
from .models import DigestItem, WeeklyDigest
from .reports import outcome_counts

TOP_OFFERS = 5  # per channel kind
TOP_OBJECTIONS = 3  # per channel kind
REVIEW_WINDOW = timedelta(hours=6)  # a trainer's time to comment before it goes out by itself
GOES_OUT_AT = time(12)  # on the Monday after the week
WEEK_FORMAT = re.compile(r"^(\d{4})-W(\d{2})$")

# (channel kind, offer id) and (channel kind, offer id, decline reason code)
OfferKey = tuple[str, int]


class WeekNotOver(ValueError):
    """A digest describes a whole week: the week asked for has not ended yet."""


# --- weeks ---------------------------------------------------------------------------------


def parse_week(text: str) -> date:
    """The Monday of an ISO week written ``YYYY-Www`` (2026-W15); ValueError with a clear message."""
    match = WEEK_FORMAT.match(text.strip())
    if not match:
        raise ValueError(_("Write the week as YYYY-Www, for example 2026-W15."))
    try:
        return date.fromisocalendar(int(match[1]), int(match[2]), 1)
    except ValueError:
        raise ValueError(_("%(week)s is not a week of that year.") % {"week": text}) from None


def last_week(now: datetime | None = None) -> date:
    """The Monday of the last complete week before ``now`` (in the portal's time zone)."""
    today = timezone.localdate(now or timezone.now())
    return today - timedelta(days=today.weekday() + 7)


def week_bounds(week_start: date) -> tuple[datetime, datetime]:
    """Monday 00:00 of the week and of the week after, in the portal's time zone."""
    zone = timezone.get_default_timezone()
    start = datetime.combine(week_start, time.min, tzinfo=zone)
    return start, datetime.combine(week_start + timedelta(days=7), time.min, tzinfo=zone)


# --- the week's figures --------------------------------------------------------------------


@dataclass
class Tally:
    """Counts of one cell for the whole company, and per site (for team leads)."""

    counts: list[int]
    sites: dict[str, list[int]] = field(default_factory=dict)

    def add(self, site_id: int | None, *values: int) -> None:
        for i, value in enumerate(values):
            self.counts[i] += value
        if site_id is not None:
            at_site = self.sites.setdefault(str(site_id), [0] * len(values))
            for i, value in enumerate(values):
                at_site[i] += value


def confirmed_counts(start: datetime, end: datetime) -> Counter:
    """{(channel kind, offer id, site id): confirmed conversions} of the offers accepted between
    ``start`` and ``end``: the one place the digest's conversion figure comes from."""
    confirmed = confirmed_for_responses(since=start)
    accepted = Response.objects.filter(
        outcome=Outcome.ACCEPTED, recorded_at__gte=start, recorded_at__lt=end
    ).values_list("pk", "channel_kind", "offer_id", "site_id")
    return Counter(
        (kind, offer_id, site_id)
        for pk, kind, offer_id, site_id in accepted.iterator(chunk_size=2000)
        if pk in confirmed
    )


def offer_figures(start: datetime, end: datetime) -> dict[OfferKey, Tally]:
    """{(channel kind, offer id): Tally of [presented, accepted, confirmed]} in the period."""
    rows = (
        Response.objects.filter(recorded_at__gte=start, recorded_at__lt=end)
        .values("channel_kind", "offer_id", "site_id")
        .annotate(**outcome_counts())
        .order_by()
    )
    confirmed = confirmed_counts(start, end)
    tallies: dict[OfferKey, Tally] = {}
    for row in rows:
        if not row["presented"]:
            continue
        key = (row["channel_kind"], row["offer_id"])
        tally = tallies.setdefault(key, Tally([0, 0, 0]))
        cell = (*key, row["site_id"])
        tally.add(row["site_id"], row["presented"], row["accepted"], confirmed.get(cell, 0))
    return tallies


def decline_figures(start: datetime, end: datetime) -> tuple[dict, dict[str, str]]:
    """({(channel kind, offer id, reason code): Tally of [declined]}, {reason code: label})."""
    rows = (
        Response.objects.filter(
            outcome=Outcome.DECLINED, recorded_at__gte=start, recorded_at__lt=end
        )
        .values_list(
            "channel_kind", "offer_id", "site_id", "decline_reason__code", "decline_reason__label"
        )
        .annotate(n=Count("pk"))
        .order_by()
    )
    tallies: dict[tuple[str, int, str], Tally] = {}
    labels = {}
    for kind, offer_id, site_id, code, label, n in rows:
        tallies.setdefault((kind, offer_id, code), Tally([0])).add(site_id, n)
        labels[code] = label
    return tallies, labels


# --- ranking -------------------------------------------------------------------------------


def rank_offers(tallies: dict[OfferKey, Tally], minimum: int) -> dict[str, list[OfferKey]]:
    """Per channel kind, the offers presented at least ``minimum`` times, best first: by the
    Wilson lower bound of acceptance, then of confirmed conversion, then by presentations."""
    ranked = defaultdict(list)
    for key, tally in tallies.items():
        if tally.counts[0] >= max(minimum, 1):
            ranked[key[0]].append(key)

    def best_first(key: OfferKey) -> tuple:
        presented, accepted, confirmed = tallies[key].counts
        return (
            -wilson(accepted, presented).low,
            -wilson(confirmed, presented).low,
            -presented,
            key[1],
        )

    return {kind: sorted(keys, key=best_first) for kind, keys in ranked.items()}


def rank_objections(offers: dict[OfferKey, Tally], declines: dict, minimum: int) -> dict:
    """Per channel kind with at least ``minimum`` contacts: its most frequent decline reasons,
    each as (code, declined in the kind, contacts in the kind, best offer key or None, declined
    of that offer, its contacts). The best offer is the one presented at least ``minimum`` times
    whose share of contacts declined for the reason has the lowest upper Wilson bound; there is
    none unless at least two offers qualify (one offer alone is not a comparison)."""
    contacts: Counter = Counter()
    for (kind, _offer), tally in offers.items():
        contacts[kind] += tally.counts[0]
    per_reason: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for (kind, offer_id, code), tally in declines.items():
        per_reason[kind, code][offer_id] += tally.counts[0]
    result = defaultdict(list)
    for kind in sorted(contacts, key=_kind_order):
        if contacts[kind] < max(minimum, 1):
            continue
        eligible = [k for k in offers if k[0] == kind and offers[k].counts[0] >= minimum]
        heard = sorted(
            (
                (code, sum(by_offer.values()))
                for (k, code), by_offer in per_reason.items()
                if k == kind
            ),
            key=lambda pair: (-pair[1], pair[0]),
        )
        for code, total in heard[:TOP_OBJECTIONS]:
            best = None
            if len(eligible) >= 2:
                by_offer = per_reason[kind, code]
                best = min(
                    eligible,
                    key=lambda k: (wilson(by_offer[k[1]], offers[k].counts[0]).high, k[1]),
                )
            declined = per_reason[kind, code][best[1]] if best else 0
            shown = offers[best].counts[0] if best else 0
            result[kind].append((code, total, contacts[kind], best, declined, shown))
    return result


def _kind_order(kind: str) -> int:
    codes = channel_registry.codes()
    return codes.index(kind) if kind in codes else len(codes)


def _texts(keys: Iterable[OfferKey]) -> dict[OfferKey, tuple[str, str]]:
    """{(kind, offer id): (offer title, what is said: the script, or the message)}."""
    keys = set(keys)
    contents = OfferContent.objects.filter(offer_id__in={k[1] for k in keys}).values_list(
        "offer_id", "offer__title", "channel_kind", "agent_script", "short_text", "banner_title"
    )
    titles, texts = {}, {}
    for offer_id, title, kind, script, short, banner in contents:
        titles[offer_id] = title
        texts[kind, offer_id] = script or short or banner
    if missing := {k[1] for k in keys} - set(titles):
        titles.update(Offer.objects.filter(pk__in=missing).values_list("pk", "title"))
    return {k: (titles.get(k[1], ""), texts.get(k, "")) for k in keys}


def _items(week_start: date, minimum: int) -> list[DigestItem]:
    """The digest's items for the week, unsaved."""
    start, end = week_bounds(week_start)
    offers = offer_figures(start, end)
    declines, labels = decline_figures(start, end)
    top = {kind: keys[:TOP_OFFERS] for kind, keys in rank_offers(offers, minimum).items()}
    objections = rank_objections(offers, declines, minimum)
    answers = {row[3] for rows in objections.values() for row in rows if row[3]}
    texts = _texts({k for keys in top.values() for k in keys} | answers)
    items = []
    for kind, keys in top.items():
        for rank, key in enumerate(keys, start=1):
            presented, accepted, confirmed = offers[key].counts
            title, script = texts[key]
            items.append(
                DigestItem(
                    section=DigestSection.OFFER,
                    channel_kind=kind,
                    rank=rank,
                    offer_id=key[1],
                    offer_title=title,
                    script=script,
                    presented=presented,
                    accepted=accepted,
                    confirmed=confirmed,
                    score=wilson(accepted, presented).low,
                    site_figures=offers[key].sites,
                )
            )
    for kind, rows in objections.items():
        kind_sites = _sites_of_kind(offers, kind)
        for rank, (code, total, contacts, best, declined, shown) in enumerate(rows, start=1):
            reason_sites = _sites_of_reason(declines, kind, code)
            title, script = texts[best] if best else ("", "")
            items.append(
                DigestItem(
                    section=DigestSection.OBJECTION,
                    channel_kind=kind,
                    rank=rank,
                    offer_id=best[1] if best else None,
                    offer_title=title,
                    script=script,
                    reason_code=code,
                    reason_label=labels[code],
                    presented=shown,
                    declined=declined,
                    kind_contacts=contacts,
                    kind_declined=total,
                    score=wilson(declined, shown).high if best else wilson(total, contacts).high,
                    site_figures={
                        site: [n, reason_sites.get(site, 0)] for site, n in kind_sites.items()
                    },
                )
            )
    items.extend(_need_items(start, end))
    return items


def _need_items(start: datetime, end: datetime) -> list[DigestItem]:
    """What customers asked for in each channel kind in the period (``training.needs_source``)."""
    items, ranks = [], Counter()
    for row in needs_source.top_needs(start, end):
        ranks[row.channel_kind] += 1
        items.append(
            DigestItem(
                section=DigestSection.NEED,
                channel_kind=row.channel_kind,
                rank=ranks[row.channel_kind],
                reason_code=row.code,
                reason_label=row.label,
                script=row.quote,
                mentions=row.notes,
                kind_contacts=row.kind_notes,
                score=row.notes / row.kind_notes if row.kind_notes else 0.0,
                site_figures=row.sites,
            )
        )
    return items


def _sites_of_kind(offers: dict[OfferKey, Tally], kind: str) -> Counter:
    """{site id: contacts} in one channel kind."""
    sites: Counter = Counter()
    for (k, _offer), tally in offers.items():
        if k == kind:
            sites.update({site: counts[0] for site, counts in tally.sites.items()})
    return sites


def _sites_of_reason(declines: dict, kind: str, code: str) -> Counter:
    """{site id: declined for ``code``} in one channel kind."""
    sites: Counter = Counter()
    for (k, _offer, c), tally in declines.items():
        if k == kind and c == code:
            sites.update({site: counts[0] for site, counts in tally.sites.items()})
    return sites


# --- writes --------------------------------------------------------------------------------


@transaction.atomic
def build_digest(*, week_start: date, now: datetime | None = None) -> WeeklyDigest:
    """Draft (or redraft) the digest of the week starting ``week_start``; safe to run twice.

    A published digest is never changed. Redrafting keeps the comment, and the items hidden
    before stay hidden. Raises WeekNotOver for a week that has not ended."""
    now = now or timezone.now()
    week_start = week_start - timedelta(days=week_start.weekday())
    start, end = week_bounds(week_start)
    if end > now:
        raise WeekNotOver(
            _("The week %(week)s is not over yet: its digest can be built from Monday.")
            % {"week": f"{week_start.isocalendar()[0]}-W{week_start.isocalendar()[1]:02d}"}
        )
    minimum = settings.CVM_DIGEST_MIN_PRESENTATIONS
    digest, created = WeeklyDigest.objects.select_for_update().get_or_create(
        week_start=week_start,
        defaults={
            "min_presentations": minimum,
            "built_at": now,
            "publish_at": max(
                datetime.combine(end.date(), GOES_OUT_AT, tzinfo=end.tzinfo), now + REVIEW_WINDOW
            ),
        },
    )
    if digest.is_published:
        return digest
    hidden = set() if created else {i.key for i in digest.items.filter(hidden=True)}
    digest.items.all().delete()
    items = _items(week_start, minimum)
    for item in items:
        item.digest = digest
        item.hidden = item.key in hidden
    DigestItem.objects.bulk_create(items)
    if not created:
        digest.min_presentations, digest.built_at = minimum, now
        digest.save(update_fields=["min_presentations", "built_at"])
    return digest


@transaction.atomic
def save_review(*, digest: WeeklyDigest, comment: str, hidden_ids: Iterable[int], by) -> None:
    """A trainer's comment and choice of hidden items on a draft; a published digest is frozen
    (ValueError)."""
    digest = WeeklyDigest.objects.select_for_update().get(pk=digest.pk)
    if digest.is_published:
        raise ValueError(_("This digest has gone out already: it can no longer be changed."))
    hidden_ids = set(hidden_ids)
    digest.items.update(hidden=False)
    digest.items.filter(pk__in=hidden_ids).update(hidden=True)
    comment = comment.strip()
    if comment != digest.comment:
        digest.comment, digest.commented_by = comment, (by if comment else None)
        digest.save(update_fields=["comment", "commented_by"])


@transaction.atomic
def publish_digest(*, digest: WeeklyDigest, by=None, now: datetime | None = None) -> bool:
    """Send the digest out to agents, team leads, trainers and managers (``by`` None: it went
    out by itself). True if this call published it, False if it was out already."""
    digest = WeeklyDigest.objects.select_for_update().get(pk=digest.pk)
    if digest.is_published:
        return False
    digest.status = DigestStatus.PUBLISHED
    digest.published_at = now or timezone.now()
    digest.published_by = by
    digest.save(update_fields=["status", "published_at", "published_by"])
    return True


def publish_due(now: datetime | None = None) -> list[str]:
    """Publish every draft whose review time is over, as it stands; the weeks it published."""
    now = now or timezone.now()
    due = WeeklyDigest.objects.filter(status=DigestStatus.DRAFT, publish_at__lte=now)
    return [d.week_label for d in due if publish_digest(digest=d, now=now)]


# --- reading -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Share:
    """``part`` of ``whole``, as a page shows it: 12 of 40 (30 %)."""

    part: int
    whole: int

    @property
    def percent(self) -> float | None:
        return round(100 * self.part / self.whole, 1) if self.whole else None


@dataclass
class KindSection:
    """One channel kind of a digest: its top offers and its objections, ready for a page."""

    kind: str
    label: str
    offers: list[DigestItem]
    objections: list[DigestItem]
    own: bool = False
    needs: list[DigestItem] = field(default_factory=list)

    @property
    def assisted(self) -> bool:
        """Agents speak in this kind (a script); elsewhere the offer is a message on a screen."""
        return channel_registry.is_assisted(self.kind)


def _dressed(item: DigestItem, site_id: int | None) -> DigestItem:
    """The item with the shares a page shows (and the site's own, for a team lead)."""
    mine = item.site(site_id)
    if item.section == DigestSection.OFFER:
        item.share = Share(item.accepted, item.presented)
        item.at_least = round(100 * item.score, 1)
        item.confirmed_share = Share(item.confirmed, item.presented)
        item.mine = Share(mine[1], mine[0]) if mine else None
        item.mine_confirmed = mine[2] if mine else None
    elif item.section == DigestSection.NEED:
        item.share = Share(item.mentions, item.kind_contacts)
        item.mine = Share(mine[1], mine[0]) if mine else None
    else:
        item.share = Share(item.kind_declined, item.kind_contacts)
        item.offer_share = Share(item.declined, item.presented)
        item.mine = Share(mine[1], mine[0]) if mine else None
    return item


def sections(
    digest: WeeklyDigest,
    *,
    include_hidden: bool = False,
    site_id: int | None = None,
    own_kind: str | None = None,
    only_kind: str | None = None,
) -> list[KindSection]:
    """The digest per channel kind, the reader's own kind first (one query). Hidden items are
    left out unless ``include_hidden`` (the reviewer's view); ``site_id`` adds a team lead's
    site figures beside the company's."""
    items = digest.items.all()
    if not include_hidden:
        items = items.filter(hidden=False)
    if only_kind:
        items = items.filter(channel_kind=only_kind)
    by_kind: dict[str, KindSection] = {}
    labels = dict(channel_registry.choices())
    for item in items.order_by("channel_kind", "section", "rank"):
        section = by_kind.setdefault(
            item.channel_kind,
            KindSection(
                item.channel_kind,
                labels.get(item.channel_kind, item.channel_kind),
                [],
                [],
                own=item.channel_kind == own_kind,
            ),
        )
        kept = {
            DigestSection.OFFER: section.offers,
            DigestSection.NEED: section.needs,
        }.get(item.section, section.objections)
        kept.append(_dressed(item, site_id))
    return sorted(by_kind.values(), key=lambda s: (not s.own, _kind_order(s.kind)))


def latest_published() -> WeeklyDigest | None:
    return (
        WeeklyDigest.objects.published()
        .select_related("commented_by")
        .order_by("-week_start")
        .first()
    )


def card(*, kind: str | None, offers: int = 3) -> dict:
    """What the card in My training and on the console shows: the latest published digest's
    top ``offers`` and first objection in ``kind`` (every kind's, when None). Two queries."""
    digest = latest_published()
    if digest is None:
        return {"digest": None}
    found = sections(digest, own_kind=kind, only_kind=kind)
    mine = found[0] if found else None
    return {
        "digest": digest,
        "section": mine,
        "offers": mine.offers[:offers] if mine else [],
        "objection": mine.objections[0] if mine and mine.objections else None,
    }
