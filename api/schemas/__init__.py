"""What the HTTP API says: the pydantic request and response models (separate input and output
models, documented in the OpenAPI schema) and the functions that build the response models from
database rows. ``verification`` (the public verify API and health), ``applications`` (the
applicant, clerk and admin API), ``preview`` (the applicant's pre-submit preview), ``review``
(the clerk's queue entries and fields as read beside the corrections) and ``from_rows``.
Imported by ``api.routes`` only; it imports ``api.db``, ``api.workflow`` (to decode a
material's result) and the domain packages, never a route."""

__all__: list[str] = []
