"""The moderators' desk: council operations through forms, with accounts and four-eyes approval.

    database   the desk's own SQLite file (accounts, sessions, audit): schema version, migrations
    accounts   moderators and approvers, Argon2id password hashes, disable and reset
    throttle   login attempts limited per account and per client
    sessions   server-side sessions behind signed cookies, and their CSRF tokens
    audit      who did what and when (never a password or a contact)
    snapshot   the records of the main branch, loaded once, reloaded by changed file
    todo       the 待办 queries: what needs a moderator now
    messages   every message a moderator reads, in Chinese
    pages      rendering the templates
    app        the HTTP routes (Starlette)
    cli        ``yishi desk user ...`` and ``yishi desk serve``
"""
