"""Intake: a resident's web form → a durable queue → a proposal on a forge.

    submission   the form's schema: cleaning and validating what a resident typed
    photos       type-checked, bounded, re-encoded photos (metadata stripped)
    formdata     reading a form body: bounded, strict UTF-8, urlencoded or multipart
    record       a submission → the issue's markdown record (data, never pasted strings)
    proposal     a queued submission → the branch, commit and pull request to open
    tokens       signed form tokens with their issue time
    abuse        honeypot, per-client rate limit, duplicate detection
    store        the durable SQLite queue; private data kept apart and purgeable
    groupcommit  the service's single writer: admissions arriving together, one commit
    worker       queue → forge, idempotent and resumable, with backoff
    service      the HTTP service (Starlette) residents' browsers talk to
    pages        the service's own no-JavaScript pages (form, receipt), in Chinese
    review       moderating proposals of the local forge
    cli          ``yishi intake ...`` and ``yishi review ...``
"""
