"""Forges: where proposals become reviewable changes (a local git repository, GitHub).

Every forge implements :class:`~yishi.forges.base.Forge`; the intake worker knows no other.
Council change sets travel through the same forges: :mod:`yishi.forges.changes` opens,
re-runs, approves (four eyes) and declines them.
"""
