"""Moved to :mod:`api.workflow.issuing`; this name stays only until its last importers
(``api.service_context``, one test) are updated, then it goes."""

from api.workflow.issuing import (
    application_fields,
    check_service_licences,
    issue_and_record,
    issue_for_application,
    licence_template,
)

__all__ = ["application_fields", "check_service_licences", "issue_and_record",
           "issue_for_application", "licence_template"]
