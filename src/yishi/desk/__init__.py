"""The moderators' desk: council operations through forms, with accounts and four-eyes approval.

    database   the desk's own SQLite file (accounts, sessions, audit, changes): version, migrations
    accounts   moderators and approvers, Argon2id password hashes, disable and reset
    throttle   login attempts limited per account and per client
    sessions   server-side sessions behind signed cookies, and their CSRF tokens
    audit      who did what and when (never a password, a contact or typed text)
    snapshot   the records of the main branch, loaded once, reloaded by changed file
    todo       the 待办 queries: what needs a moderator now
    forms      what a form's fields mean to the council operations
    workflow   change sets to the forge and back: preview, submit, approve, decline
    pulls      the GitHub forge's pull requests: state, checks, merging from the desk
    changes    the changes the desk sent, whose they are and where they stand
    messages   every message a moderator reads, in Chinese
    pages      rendering the templates
    web        what every route shares: the desk's parts, headers, the session guard
    app        login, logout, the 待办 page and the record pages (Starlette)
    views      the operation forms, the changes and the contact view
    cli        ``yishi desk user ...`` and ``yishi desk serve``
"""
