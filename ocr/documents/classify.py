"""Guess the document type from the words printed on it."""

from __future__ import annotations

import re

from core import DocType
from ocr.documents.text import ID_NUMBER

_KEYWORDS: dict[DocType, tuple[tuple[str, float], ...]] = {
    DocType.ID_CARD_FRONT: (("公民身份号码", 3), ("姓名", 1), ("性别", 1), ("民族", 1),
                            ("出生", 1), ("住址", 1)),
    DocType.ID_CARD_BACK: (("签发机关", 3), ("有效期限", 3), ("居民身份证", 2),
                           ("中华人民共和国", 1)),
    DocType.BUSINESS_LICENCE: (("营业执照", 4), ("统一社会信用代码", 2), ("经营范围", 2),
                               ("登记机关", 2), ("注册资本", 1), ("成立日期", 1), ("营业期限", 1)),
    DocType.FORM: (("申请表", 6), ("申请书", 6), ("登记表", 6), ("申报表", 6), ("承诺书", 4),
                   ("签字", 1), ("签名", 1), ("申请人", 1), ("联系电话", 1)),
}
_MIN_SCORE = 2.5


def classify(texts: list[str]) -> tuple[DocType, float]:
    """The most likely type and a confidence in [0, 1]; ``UNKNOWN`` when nothing fits."""
    joined = "".join(texts)
    scores: dict[DocType, float] = {}
    for doc_type, words in _KEYWORDS.items():
        scores[doc_type] = sum(weight for word, weight in words if word in joined)
    if ID_NUMBER.search(joined) and scores[DocType.ID_CARD_FRONT] > 0:
        scores[DocType.ID_CARD_FRONT] += 1
    # A form quotes ID-card and licence labels; only its own title words make it a form.
    colon_labels = sum(1 for t in texts if re.match(r"^[\u4e00-\u9fff]{2,8}[:：]", t))
    scores[DocType.FORM] += min(colon_labels, 4) * 0.5
    best = max(scores, key=lambda k: scores[k])
    total = sum(scores.values())
    if scores[best] < _MIN_SCORE:
        return DocType.UNKNOWN, 0.0
    return best, scores[best] / total
