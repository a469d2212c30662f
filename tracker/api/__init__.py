"""The JSON API under ``/api/v1/`` (django-ninja): the scan intake for phones, kiosks and badge scanners,
and a read API for CRMs and BI tools, with its OpenAPI schema at ``/api/v1/openapi.json`` and
interactive docs at ``/api/v1/docs``. ``v1`` assembles it; each concern has its module."""
