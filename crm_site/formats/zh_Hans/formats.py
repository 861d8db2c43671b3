"""Simplified Chinese date formats: Django's zh_Hans ones, but for the month and day.

Django's zh_Hans module says "m月j日", which writes "02月2日" (its own comment says "9月5日");
the month without a leading zero reads as people write it. Every other format falls through
to Django's zh_Hans module ("Y年n月j日", "Y年n月", ...).
"""

MONTH_DAY_FORMAT = "n月j日"  # 2月2日
