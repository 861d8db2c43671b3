"""Project package: settings, URLs, the Celery app."""

from crm_site.celery import app as celery_app

__all__ = ["celery_app"]
