"""The review service: an HTTP API over the library (``Checker``), every review kept in a database.

Layers: ``settings`` (where things are), ``db`` (engine, SQLite pragmas, migrations), ``models`` (tables),
``auth`` (accounts, passwords, tokens, sessions), ``store`` (reviews, versions, waivers, funding, audit:
pure functions over a session, shared by the API and the web pages), ``api`` (the /api/v1 routes),
``app`` (the FastAPI factory) and ``commands`` (serve, db, users, tokens).  Nothing here is imported by
the CLI until a service command runs.
"""
