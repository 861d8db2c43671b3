"""The table of the "ratelimit" cache (settings.CACHES, apps.desk.counters.CounterCache).

UNLOGGED: a counter lives a minute or an hour, so it skips the write-ahead log; a crash that
empties the table only restarts everyone's limit windows.
"""

from django.db import migrations

CREATE = """
CREATE UNLOGGED TABLE "ratelimit_counter" (
    "cache_key" varchar(255) NOT NULL PRIMARY KEY,
    "value" bigint NOT NULL,
    "expires" timestamp with time zone NOT NULL
);
CREATE INDEX "ratelimit_counter_expires" ON "ratelimit_counter" ("expires");
"""


class Migration(migrations.Migration):
    dependencies = [("members", "0001_initial")]

    operations = [migrations.RunSQL(CREATE, 'DROP TABLE "ratelimit_counter";')]
