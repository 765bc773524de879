"""English dates written out ("3 December 2026") and 24-hour times, as agents in Poland read them.

Django's English defaults ("Dec. 3, 2026, 9 a.m.") are American; anything not set here falls
back to them.
"""

DATE_FORMAT = "j F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y, H:i"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
