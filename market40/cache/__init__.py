"""Caching that can never hide a write for longer than promised.

- :mod:`~market40.cache.versions`: ``data_versions``, bumped in every write's own
  transaction (``bump_data_version``; an engine hook and ``rollups.upsert_rollups``
  call it, so no path forgets), and read in one small query per request;
- :mod:`~market40.cache.store`: figures cached by the version they were computed
  from (Redis when configured, in-process otherwise);
- :mod:`~market40.cache.http`: ETag / Last-Modified / 304 and whole public answers.
"""

from market40.cache.versions import Version, bump_data_version, read_version

__all__ = ["Version", "bump_data_version", "read_version"]
