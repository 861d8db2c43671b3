"""Django's PostgreSQL backend, with the schema changes a Citus coordinator needs (schema.py).

settings.DATABASES uses it as ENGINE for every PostgreSQL URL; on plain PostgreSQL it
behaves exactly as Django's own.
"""
