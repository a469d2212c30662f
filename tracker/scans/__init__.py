"""Booth scans: taking them in fast (``intake``) and matching them to leads just after (``matching``).

The request path only validates and stores a scan (one INSERT, idempotent by client uuid); matching
the badge to an attendee and a lead runs right after commit, in-process without a broker or in a
Celery worker with one, so a rush at the booth never waits on lead bookkeeping.
"""
