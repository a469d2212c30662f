"""How a task meets transient trouble: a database failover or restart is retried with backoff, below the
broker's visibility timeout; other errors are bugs and fail loudly. For tasks that may safely run again."""

from django.db import OperationalError

RETRY_TRANSIENT = {
    "autoretry_for": (OperationalError,),
    "retry_backoff": True,
    "retry_backoff_max": 300,
    "max_retries": 8,
}
