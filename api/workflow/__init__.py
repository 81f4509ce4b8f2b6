"""The use cases of the service: plain functions over one narrow, typed bundle
(:class:`api.workflow.context.WorkflowContext`: settings, database, file store, key store and
service catalogue). No HTTP, no huey, no argparse: the JSON routes, the web pages, the huey
tasks and the CLI all call these functions, and ``workflow`` never imports them.

Who may import it: ``api.routes``, ``api.schemas``, ``api.jobs``, the CLI and
``api.service_context`` (which builds the bundle for a request). It imports ``api.db``,
``api.storage``, ``core``, ``ocr`` (a PDF's pixels for the fair-jobs cap), ``elicense``,
``signing`` and ``verify`` only. It raises :class:`core.ZhengzhaoError` subclasses
(:mod:`api.workflow.errors`), never an HTTP error: ``api.errors_http`` maps their codes to a
status.

- :mod:`api.workflow.applications` — finding the application a caller may see, the states in
  which it may be changed, its materials and photo checks, a corrected value's shape; creating
  one, correcting a field, submitting it.
- :mod:`api.workflow.materials` — uploading a material: its content judged
  (``sniff_upload``), the fair-jobs cap (:mod:`api.workflow.job_quota`), stored once; taking
  the auto-fixed photo instead of the uploaded one.
- :mod:`api.workflow.preview` — the applicant's pre-submit preview: the form rules over the
  evidence so far, nothing stored.
- :mod:`api.workflow.review` — the clerk's queue, what a clerk may see, and the decision
  (approve issues the licence after the decision commits).
- :mod:`api.workflow.verification` — the verdict on a token or licence PDF against our trust
  material, falling back to an imported issuer's (the public API and the verifier pages).
- :mod:`api.workflow.verdict_view` — what a verifier page shows of a verdict (plain reasons,
  public facts never on a FAILED one, the holder photo checked against its signed hash).
- :mod:`api.workflow.issued_view` — the licence issued for an application as the clerk's review
  shows it: each issued file (PDF, OFD) verified afresh against our trust, and handed out.
- :mod:`api.workflow.licence_files` — an issued licence's files as handed out (media type,
  download names) and its valid / revoked / expired state, for every page and download.
- :mod:`api.workflow.holders` — binding an account to its holder (by an admin, the CLI, or a
  verified e-licence in the validation job) and whether 秒批 may issue to it.
- :mod:`api.workflow.trust` — the other issuers this office trusts: import, list, remove
  (audited), for the admin's API and ``zhengzhao trust``; ``ImportedTrust``, their trust
  material by key id, for verification.
- :mod:`api.workflow.crl_points` — the CRLs answered at this office's CRL distribution points
  (``/pki/<ca>.crl``): the published ones, by the names the key store puts in certificates.
- :mod:`api.workflow.issuing` — issuing an approved application's e-licence (reserve, sign,
  commit).
- :mod:`api.workflow.material_result` — a material's result (document | unreadable |
  e-licence) and the one codec that stores it in ``Material.ocr_result``.
- :mod:`api.workflow.evidence` — the evidence an application's materials give, gathered once
  for the applicant's preview, the validation job and issuing."""
