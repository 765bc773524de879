"""Polish dates with genitive month names ("3 grudnia 2026") and dotted short dates.

Django's Polish short dates ("03-12-2026") are not how Poles write them; anything not set here
falls back to Django's Polish formats (decimal comma, non-breaking space between thousands).
"""

DATE_FORMAT = "j E Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j E Y, H:i"
MONTH_DAY_FORMAT = "j E"
SHORT_DATE_FORMAT = "d.m.Y"
SHORT_DATETIME_FORMAT = "d.m.Y, H:i"
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\xa0"
NUMBER_GROUPING = 3
