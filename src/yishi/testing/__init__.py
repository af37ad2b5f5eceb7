"""Test doubles that behave like the real services, over real protocols (not mocks).

Public and supported for councils' own tests and benchmarks, as for the project's: a stand-in
for GitHub (:mod:`~yishi.testing.github_standin`) to try the GitHub forge without touching
GitHub, and a loopback server for a built site (:mod:`~yishi.testing.static_site`). Changes
to them are listed in the CHANGELOG.
"""
