"""Per-document-type field extraction from OCR lines: resident ID card (both sides), business
licence, generic printed forms, and the classifier that tells them apart."""

from ocr.documents.classify import classify

__all__ = ["classify"]
