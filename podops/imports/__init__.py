"""Bringing media and podcasts in from elsewhere.

- `asset`: a media file downloaded safely from a URL, probed like an upload, stored once;
- `feed`: a podcast moved in from its feed — production, show and episodes created through
  the services, every item GUID kept;
- `feed_documents`: a parsed foreign feed mapped onto podops' documents;
- `start`: the operations that do this work, started for the API and for documents whose
  references say `rel: import`.
"""
