"""What the lead and follow-up lists share: the base table and columns, the filter set base, the form
helpers, and ``engine``, the one module that reaches into django-tables2."""
