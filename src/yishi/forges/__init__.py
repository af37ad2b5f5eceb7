"""Forges: where proposals become reviewable changes (a local git repository, GitHub).

Every forge implements :class:`~yishi.forges.base.Forge`; the intake worker knows no other.
"""
