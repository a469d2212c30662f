"""Pushing qualified leads into a sponsor's CRM (HubSpot, Salesforce), and telling it of withdrawn consent
and erasures: ``mapping`` (a lead's CRM fields, pure, shared with the CRM files), ``secrets`` (credentials
encrypted at rest), ``clients`` (the two HTTP APIs, with retries), ``push`` (the service and its tasks),
``propagation`` (consent and erasure), ``forms`` and ``filters``."""
