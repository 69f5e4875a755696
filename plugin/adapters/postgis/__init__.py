"""PostgreSQL/PostGIS adapter: the planning schema, the balance computed in the database.

The pure-Python core never sees the database: this package turns its rules into SQL (the area
rules of docs/domain-area-rules.md) and hands the core only aggregates. See docs/postgis.md.
"""
