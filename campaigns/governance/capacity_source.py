"""What governance asks of capacity planning, answered by the channels app when it starts.

Capacity plans live on the delivery side (``channels.capacity``: sites, rosters, Erlang C);
the CVM side never imports it (campaigns <- training <- channels), so the channels app
registers its two functions here, as it registers its delivery figures with the results. Until
then (the app is not installed) a campaign causes no overload and has no forecast.
"""

from __future__ import annotations

from collections.abc import Callable


def _no_overloads(campaign) -> list:  # noqa: ARG001 - the registered signature
    return []


def _no_forecast(campaign, channel_kind: str) -> float | None:  # noqa: ARG001
    return None


_overloads: Callable = _no_overloads
_forecast: Callable = _no_forecast


def register_capacity(*, overloads_for_campaign: Callable, expected_contacts_per_hour: Callable):
    global _overloads, _forecast
    _overloads = overloads_for_campaign
    _forecast = expected_contacts_per_hour


def overloads_for_campaign(campaign) -> list:
    """The overloads (``channels.capacity.Overload``) over ``campaign``'s period it adds to."""
    return _overloads(campaign)


def expected_contacts_per_hour(campaign, channel_kind: str) -> float | None:
    """The forecast contacts per hour ``campaign`` brings to ``channel_kind``, or None."""
    return _forecast(campaign, channel_kind)
