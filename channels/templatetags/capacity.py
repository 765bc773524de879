"""The overload warning block of the workspaces: ``{% capacity_warnings %}`` (every site, for
the CVM workspace) or ``{% capacity_warnings site %}`` (one site, for its team lead)."""

from django import template

from channels.capacity.weekly import upcoming

register = template.Library()

WEEKS = 4


@register.inclusion_tag("channels/capacity/warnings.html")
def capacity_warnings(site=None, link=False):
    """Overloads of the next weeks, per site × channel kind, naming the campaigns behind them.
    The caller decides which site a user may see (a team lead: their own only)."""
    summaries = upcoming(site_ids=[site.pk] if site is not None else None, weeks=WEEKS)
    return {"summaries": summaries, "weeks": WEEKS, "site": site, "link": link}
