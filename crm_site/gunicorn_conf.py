"""gunicorn settings for production: `gunicorn -c crm_site/gunicorn_conf.py`.

gthread workers, one process per core, 8 threads each. A sync worker serves one connection
at a time and blocks while a till that has just connected sends nothing yet; under paced
load that idle wait queued other requests for seconds (docs/performance.md). gthread
workers park idle keep-alive connections in a poller and hand only ready requests to a
thread; the threads cover the time a request waits on PostgreSQL. Override with
WEB_WORKERS, WEB_THREADS and BIND.
"""

import os

wsgi_app = "crm_site.wsgi:application"
bind = os.environ.get("BIND", "0.0.0.0:8000")
worker_class = "gthread"
workers = int(os.environ.get("WEB_WORKERS") or os.cpu_count() or 2)
threads = int(os.environ.get("WEB_THREADS") or 8)
# Longer than a till's pause between transactions, so an idle socket is not closed under it.
keepalive = 60
timeout = 60
backlog = 2048
