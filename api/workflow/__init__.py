"""The use cases of the service: plain functions over one narrow, typed bundle
(:class:`api.workflow.context.WorkflowContext`: settings, database, file store, key store and
service catalogue). No HTTP, no huey, no argparse: the JSON routes, the web pages, the huey
tasks and the CLI all call these functions, and ``workflow`` never imports them.

Who may import it: ``api.routes``, ``api.jobs``, the CLI and ``api.service_context`` (which
builds the bundle for a request). It imports ``api.db``, ``api.storage``, ``api.holders``,
``core``, ``elicense``, ``signing`` and ``verify`` only.

- :mod:`api.workflow.issuing` — issuing an approved application's e-licence (reserve, sign,
  commit).
- :mod:`api.workflow.material_result` — a material's result (document | unreadable |
  e-licence) and the one codec that stores it in ``Material.ocr_result``.
- :mod:`api.workflow.evidence` — the evidence an application's materials give, gathered once
  for the applicant's preview, the validation job and issuing."""
