"""Calling hours, in each site's own time zone."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from channels.models.sites import Site
from cvm_portal import formatting as fmt

UTC = ZoneInfo("UTC")


def local_moment(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The moment a local wall-clock reading names (in UTC); a reading the clocks skip is moved
    forward by the gap (02:30 on the spring-forward night is 03:30), an ambiguous one is the first."""
    naive = datetime.combine(day, at)
    aware = naive.replace(tzinfo=zone, fold=0)
    # A time the clocks skip (e.g. 02:30 when they jump from 02:00 to 03:00) does not
    # survive a round trip through UTC; such a reading means "as soon as the clocks allow".
    back = aware.astimezone(UTC).astimezone(zone)
    if back.replace(tzinfo=None) != naive:
        return aware.astimezone(UTC)
    return aware.astimezone(UTC)


def local_day(site: Site, at: datetime | None = None) -> date:
    return (at or timezone.now()).astimezone(site.zone).date()


def within_calling_hours(site: Site, at: datetime) -> bool:
    """Whether the site's local clock at ``at`` reads within its calling hours."""
    local = at.astimezone(site.zone).time()
    return site.calls_from <= local < site.calls_until


def calling_window(site: Site, day: date) -> tuple[datetime, datetime]:
    """The aware start and end of calling on the site's local ``day``."""
    return (
        local_moment(day, site.calls_from, site.zone),
        local_moment(day, site.calls_until, site.zone),
    )


def next_calling_moment(site: Site, at: datetime) -> datetime:
    """``at`` if calls are allowed then; otherwise when the site's calling hours next open."""
    if within_calling_hours(site, at):
        return at
    local = at.astimezone(site.zone)
    day = local.date() if local.time() < site.calls_from else local.date() + timedelta(days=1)
    return calling_window(site, day)[0]


def callback_moment(site: Site, naive: datetime, *, now: datetime | None = None) -> datetime:
    """A callback time typed in the site's local time, checked: it exists, lies ahead, in hours."""
    now = now or timezone.now()
    aware = naive.replace(tzinfo=site.zone, fold=0)
    back = aware.astimezone(UTC).astimezone(site.zone)
    if back.replace(tzinfo=None) != naive.replace(tzinfo=None):
        raise ValidationError(
            _("%(time)s does not exist on %(date)s: the clocks skip it. Choose another time.")
            % {"time": fmt.time(naive), "date": fmt.date(naive.date())}
        )
    if aware <= now:
        raise ValidationError(_("Choose a callback time in the future."))
    if not within_calling_hours(site, aware):
        raise ValidationError(
            _("Calls are made between %(start)s and %(end)s (%(zone)s); choose a time then.")
            % {
                "start": fmt.time(site.calls_from),
                "end": fmt.time(site.calls_until),
                "zone": site.timezone,
            }
        )
    return aware.astimezone(UTC)  # an ambiguous local time compares unequal across zones
