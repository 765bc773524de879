"""``{% roadmap_link %}``: the way to the roadmap board from a channel team's home page."""

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from cvm_portal.roles import Role, roles_of

register = template.Library()

TEAM_ROLES = {Role.TEAM_LEAD, Role.DIGITAL_TEAM}


@register.simple_tag(takes_context=True)
def roadmap_link(context) -> str:
    """A paragraph linking to the board filtered to the reader's channels, for team leads and
    digital team members; nothing for anyone else. Asks no query (the roles are cached)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not roles_of(user) & TEAM_ROLES:
        return ""
    return format_html(
        '<p class="roadmap-link"><a href="{}?mine=on">{}</a></p>',
        reverse("campaigns:roadmap"),
        _("Roadmap board: what your channel builds for CVM's initiatives — update its status"),
    )
