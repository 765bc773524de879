"""Messages stored as a code with parameters and worded when read, in the reader's language.

Background jobs (loads, bonus statements) have no reader when they write, so they store a code
and JSON parameters; each owner keeps its own table of codes and its own way to format a
parameter, and words a message through ``word``. Rows written before codes existed keep their
text under the ``legacy`` code.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

LEGACY = "legacy"


def word(
    messages: Mapping[str, object],
    code: str,
    params: dict | None,
    value: Callable[[str, object], str],
) -> str:
    """The message for ``code`` with ``params`` formatted by ``value``; an unknown code shows
    itself, so a message removed from the table never hides what was stored."""
    params = params or {}
    if code == LEGACY:
        return str(params.get("text", ""))
    message = messages.get(code)
    if message is None:
        return code
    return str(message) % {key: value(key, item) for key, item in params.items()}
