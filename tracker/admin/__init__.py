"""The operators' admin, one module per domain, all registered on :data:`tracker.admin.site.site`.

The URLconf mounts that site at /admin/; Django's default ``admin.site`` is not served.
"""

from tracker.admin import crm, events, followups, icp, imports, leads, money, privacy, questions, staff
from tracker.admin.site import site

__all__ = ["crm", "events", "followups", "icp", "imports", "leads", "money", "privacy", "questions", "site", "staff"]
