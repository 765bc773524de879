"""The CVM Portal project: settings, URLs, the Celery app, roles."""

from .celery import app as celery_app

__all__ = ("celery_app",)
