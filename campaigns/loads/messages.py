"""What a load says about itself, stored as a code with parameters and worded when read.

A load runs in a worker with no reader: if it wrote sentences, they would stay in the
worker's language for good. So a run stores ``error_code`` and ``error_params`` (JSON) and
``LoadRun.error`` words them in the language of whoever reads the page, the admin or the
command line. This module is the one place that maps codes to translatable messages.

Parameters are plain JSON values. ``render`` formats them for the reader: counts (the keys in
``COUNTS``) grouped as numbers, keys ending in ``_pct`` as percentages, keys ending in ``_at``
(ISO moments) as local dates and times, lists joined with commas, and a nested
``{"code": …, "params": …}`` (the reason a task gave up, say) worded the same way. Runs stored
before codes existed keep their English text under the ``legacy`` code.

Raise ``Problem(code, **params)`` (or a subclass: ``FileRejected``, ``LoadBusy``) where a load
fails; nothing here runs per row.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _

from cvm_portal import formatting as fmt
from cvm_portal.coded_messages import word

MESSAGES = {
    # Naming and delivering files
    "bad_name": _(
        "“%(name)s” does not follow the naming rule: customers__YYYYMMDD.csv, "
        "target_group__<CAMPAIGN-CODE>__YYYYMMDD.csv, conversions__YYYYMMDD.csv or "
        "contacts__YYYYMMDD.csv "
        "(also .csv.gz or .parquet)."
    ),
    "no_campaign_code": _("“%(name)s” names no campaign code."),
    "customers_name_has_campaign": _("“%(name)s”: a customer snapshot names no campaign."),
    "conversions_name_has_campaign": _("“%(name)s”: a conversions file names no campaign."),
    "contacts_name_has_campaign": _("“%(name)s”: a service contacts file names no campaign."),
    "impossible_date": _("“%(name)s” has an impossible date."),
    "unknown_campaign": _(
        "No campaign has the code %(code)s. Create the campaign first, or fix the file name."
    ),
    "not_regular_file": _(
        "%(name)s is a symbolic link or not a regular file. The portal reads only files "
        "copied into the inbox itself; copy the file there."
    ),
    "marker_mismatch": _(
        "The file's SHA-256 does not match its marker: it is incomplete or changed. Copy it again."
    ),
    "file_gone": _("The file %(name)s is no longer in the inbox."),
    "same_file": _(
        "The same file (same SHA-256) was loaded by run #%(run)s on %(loaded_at)s; nothing changed."
    ),
    # Reading the file
    "gzip_damaged": _(
        "The file cannot be read as csv.gz: the gzip file is truncated or corrupt. "
        "Nothing was loaded; copy it again."
    ),
    "unreadable_format": _("The file cannot be read as %(format)s: %(error)s"),
    "unreadable_parquet": _("Not a readable Parquet file: %(error)s"),
    "unreadable_near_line": _("The file could not be read near line %(line)s: %(error)s"),
    "empty_file": _("The file is empty: it needs a header line and at least one row."),
    "no_rows": _("The file has a header but no rows. Nothing was loaded; the current data stays."),
    "header_not_utf8": _("The header line is not UTF-8 text. Save the file as UTF-8."),
    "not_utf8_near_line": _("The file is not valid UTF-8 near line %(line)s. Save it as UTF-8."),
    "not_utf8_near_line_nothing_loaded": _(
        "The file is not valid UTF-8 near line %(line)s. Save it as UTF-8. Nothing was loaded."
    ),
    "nul_character": _(
        "Line %(line)s contains a NUL character (a zero byte), which text cannot hold. "
        "Nothing was loaded."
    ),
    "too_many_fields": _("Line %(line)s has more fields than the header. Nothing was loaded."),
    "too_few_fields": _("Line %(line)s has fewer fields than the header. Nothing was loaded."),
    "unclosed_quote": _(
        "A quoted field that starts near line %(line)s is never closed. Nothing was loaded."
    ),
    # The header
    "empty_header": _("The header line is empty: the first line must name the columns."),
    "duplicate_columns": _("The header names %(cols)s more than once."),
    "missing_columns": _("Missing column(s): %(missing)s. The header has: %(header)s."),
    "unknown_customer_columns": _(
        "Unknown column(s) in a customer snapshot: %(extra)s. Allowed: %(allowed)s."
    ),
    "unknown_conversion_columns": _(
        "Unknown column(s) in a conversions file: %(extra)s. Allowed: %(allowed)s."
    ),
    "unknown_contact_columns": _(
        "Unknown column(s) in a service contacts file: %(extra)s. Allowed: %(allowed)s."
    ),
    "too_many_extra_columns": _("More than %(n)s extra columns."),
    "reserved_columns": _("These column names are reserved by the portal: %(names)s. Rename them."),
    "bad_column_names": _("Column names may use only a–z, 0–9 and “_”: %(bad)s."),
    # The outcome of a load
    "too_many_rejected": _(
        "%(rejected)s of %(total)s rows were rejected (%(share_pct)s), above this target group's "
        "threshold of %(limit_pct)s. The new version was not activated; the previous one stays "
        "live. Download the rejected rows to see why."
    ),
    "newer_live": _(
        "Not loaded: the live version comes from a newer file (%(live)s, run #%(run)s)."
    ),
    "already_stored": _(
        "%(known)s of the loaded rows were already stored from an earlier file; "
        "each activation counts once."
    ),
    # Queueing and the worker
    "not_queued": _(
        "Not queued yet: the task queue did not answer (%(error)s). The load is queued "
        "automatically once it answers again."
    ),
    "interrupted": _("Interrupted (the worker stopped); run #%(run)s took over."),
    "target_busy": _("another load of %(target)s is running"),
    "snapshot_loading": _("a customer snapshot of the same or an earlier date is still loading"),
    "gave_up": _("Gave up after %(n)s attempts: %(error)s"),
    "unexpected": _("Unexpected error: %(error)s"),
}

# Integer parameters that are quantities (grouped: "12 345"); others (lines, run numbers) are ids.
COUNTS = frozenset({"n", "rejected", "total", "known"})


class Problem(Exception):
    """A reason stored as a code with JSON parameters; ``str()`` words it in the active language."""

    def __init__(self, code: str, /, **params):
        super().__init__(code)
        self.code, self.params = code, params

    def __str__(self) -> str:
        return render(self.code, self.params)

    def as_param(self) -> dict:
        """This problem as a parameter of another message (``gave_up``'s ``error``)."""
        return {"code": self.code, "params": self.params}


def _value(key: str, value) -> str:
    if isinstance(value, dict) and "code" in value:
        return render(value["code"], value.get("params") or {})
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if key.endswith("_pct") and isinstance(value, int | float):
        return fmt.percent_points(value, 1)
    if key.endswith("_at") and isinstance(value, str):
        try:
            return fmt.datetime(dt.datetime.fromisoformat(value))
        except ValueError:
            return value
    if key in COUNTS and isinstance(value, int) and not isinstance(value, bool):
        return fmt.number(value)
    return str(value)


def render(code: str, params: dict | None = None) -> str:
    """The message for ``code`` in the active language; an unknown code shows itself."""
    return word(MESSAGES, code, params, _value)
