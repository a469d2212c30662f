"""Personal data as the law expects: erasure of one person (``erasure``) and the audit log of what was
done with a sponsor's data and access (``audit``)."""
