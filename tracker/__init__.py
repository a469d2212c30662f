"""GTM booth-lead and sponsor tracker."""

from tracker.celery import app as celery_app

__all__ = ("celery_app",)
