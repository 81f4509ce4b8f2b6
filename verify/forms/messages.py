"""Chinese and English message templates for every finding code.

Templates name fields and materials (``{label}`` is the printed Chinese label, ``{field_en}``
the field's English name (never its bare id), ``{material}`` / ``{material_en}`` the
material's names); they never quote a value read from a document.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from verify.forms.result import FindingCode as C

_FIELD = "{material}“{label}”"
_FIELD_EN = "{field_en} on the {material_en}"

KIND_NAMES_ZH = {
    "id_card_front": "居民身份证人像面",
    "id_card_back": "居民身份证国徽面",
    "business_licence": "营业执照",
    "form": "申请表",
    "photo": "相片",
}

TEMPLATES: dict[C, tuple[str, str]] = {
    C.MATERIAL_MISSING: ("缺少材料：{material}（需要 {count} 份，收到 {found} 份）",
                         "Missing material: {material_en} ({count} needed, {found} received)"),
    C.MATERIAL_TOO_MANY: ("{material}多于所需（需要 {count} 份，收到 {found} 份），多余的未核验",
                          "More {material_en} than needed ({count} needed, {found} received); "
                          "the extra ones were not checked"),
    C.MATERIAL_UNEXPECTED: ("本事项不需要此材料（{kind}），未核验",
                            "This service does not ask for this material ({kind_en}); not checked"),
    C.MATERIAL_UNRECOGNISED: ("无法识别材料类型，未核验",
                              "The document type was not recognised; not checked"),
    C.MATERIAL_QUALITY: ("{material}图像质量问题：{quality}",
                         "Image quality problem on the {material_en}: {quality}"),
    C.MATERIAL_TITLE_MISMATCH: ("表格标题与{material}不符，请确认是否为正确的表格",
                                "The form's title does not match the {material_en}; check that "
                                "it is the right form"),
    # No profile id in the text (issue 13 item 5): it stays in the finding's params for staff.
    C.PHOTO_FAILED: ("{material}不符合相片规格，请按该材料下的提示处理",
                     "The {material_en} does not meet the photo specification; see the advice "
                     "with it"),
    C.PHOTO_NOT_CHECKED: ("{material}（规格 {profile}）未经核验，请人工确认",
                          "The {material_en} (profile {profile}) was not checked; a clerk "
                          "must check it"),
    C.FIELD_MISSING: ("缺少" + _FIELD, "Missing " + _FIELD_EN),
    C.FIELD_LOW_CONFIDENCE: (_FIELD + "识别置信度 {confidence} 低于 {threshold}，请人工核对",
                             "OCR confidence {confidence} of " + _FIELD_EN +
                             " is below {threshold}; a clerk should check it"),
    C.FIELD_TOO_SHORT: (_FIELD + "少于 {min} 个字符", _FIELD_EN + " is shorter than {min}"),
    C.FIELD_TOO_LONG: (_FIELD + "超过 {max} 个字符", _FIELD_EN + " is longer than {max}"),
    C.FIELD_PATTERN: (_FIELD + "格式不正确", _FIELD_EN + " is not in the expected format"),
    C.FIELD_NOT_ALLOWED: (_FIELD + "应为：{values}", _FIELD_EN + " must be one of: {values}"),
    C.FIELD_NOT_A_DATE: (_FIELD + "不是有效日期", _FIELD_EN + " is not a valid date"),
    C.FIELD_TOO_EARLY: (_FIELD + "早于 {bound}", _FIELD_EN + " is before {bound}"),
    C.FIELD_TOO_LATE: (_FIELD + "晚于 {bound}", _FIELD_EN + " is after {bound}"),
    C.FIELD_MULTIPLE_TICKED: (_FIELD + "只能勾选一项", "Tick only one option for " + _FIELD_EN),
    C.ID_NUMBER_LENGTH: (_FIELD + "应为 18 位", _FIELD_EN + " must have 18 characters"),
    C.ID_NUMBER_CHARSET: (_FIELD + "应为 17 位数字加数字或 X",
                          _FIELD_EN + " must be 17 digits and a digit or X"),
    C.ID_NUMBER_REGION: (_FIELD + "的地址码不存在",
                         _FIELD_EN + " starts with an unknown province code"),
    C.ID_NUMBER_BIRTH_DATE: (_FIELD + "中的出生日期不存在",
                             _FIELD_EN + " encodes a birth date that does not exist"),
    C.ID_NUMBER_BIRTH_IN_FUTURE: (_FIELD + "中的出生日期晚于今天",
                                  _FIELD_EN + " encodes a birth date in the future"),
    C.ID_NUMBER_CHECK_CHAR: (_FIELD + "校验码错误（GB 11643）",
                             _FIELD_EN + " has a wrong check character (GB 11643)"),
    C.USCC_LENGTH: (_FIELD + "应为 18 位", _FIELD_EN + " must have 18 characters"),
    C.USCC_CHARSET: (_FIELD + "含有不允许的字符（不使用 I、O、S、V、Z）",
                     _FIELD_EN + " has characters outside GB 32100 (no I, O, S, V, Z)"),
    C.USCC_CHECK_CHAR: (_FIELD + "校验码错误（GB 32100）",
                        _FIELD_EN + " has a wrong check character (GB 32100)"),
    C.USCC_REGION: (_FIELD + "第 3–8 位应为行政区划码",
                    _FIELD_EN + " must have a region code in positions 3-8"),
    C.USCC_ORG_CODE: (_FIELD + "中的组织机构代码校验码错误（GB 11714）",
                      _FIELD_EN + " embeds an organisation code with a wrong check character "
                      "(GB 11714)"),
    C.ORG_CODE_LENGTH: (_FIELD + "应为 9 位", _FIELD_EN + " must have 9 characters"),
    C.ORG_CODE_CHARSET: (_FIELD + "含有不允许的字符", _FIELD_EN + " has invalid characters"),
    C.ORG_CODE_CHECK_CHAR: (_FIELD + "校验码错误（GB 11714）",
                            _FIELD_EN + " has a wrong check character (GB 11714)"),
    C.MOBILE_LENGTH: (_FIELD + "应为 11 位手机号码", _FIELD_EN + " must be an 11-digit mobile"),
    C.MOBILE_CHARSET: (_FIELD + "只能包含数字", _FIELD_EN + " must contain digits only"),
    C.MOBILE_PREFIX: (_FIELD + "不是有效的手机号段",
                      _FIELD_EN + " does not start like a mainland mobile number"),
    C.PERSON_NAME_CHARACTER: (_FIELD + "只能包含汉字和间隔号“·”",
                              _FIELD_EN + " may hold Chinese characters and the middle dot only"),
    C.PERSON_NAME_DOT: (_FIELD + "的间隔号“·”位置不正确",
                        _FIELD_EN + " has a misplaced middle dot"),
    C.PERSON_NAME_TOO_SHORT: (_FIELD + "至少两个汉字", _FIELD_EN + " needs two characters"),
    C.PERSON_NAME_TOO_LONG: (_FIELD + "过长", _FIELD_EN + " is too long"),
    C.CROSS_MISMATCH: ("{left}与{right}不一致", "{left_en} does not match {right_en}"),
    C.CROSS_SAME: ("{left}与{right}不应相同", "{left_en} must differ from {right_en}"),
    C.CROSS_BIRTH_DATE_MISMATCH: ("{right}与{left}中的出生日期不一致",
                                  "{right_en} does not match the birth date in {left_en}"),
    C.CROSS_SEX_MISMATCH: ("{right}与{left}的性别位不一致",
                           "{right_en} does not match the sex digit of {left_en}"),
    C.CROSS_EXPIRED: ("{material}已于 {until} 过期（核验日期 {as_of}）",
                      "The {material_en} expired on {until} (checked for {as_of})"),
    C.CROSS_NOT_YET_VALID: ("{material}自 {since} 起生效，核验日期 {as_of} 尚未生效",
                            "The {material_en} is valid from {since}, not yet on {as_of}"),
    # The rule is named by what it compares, not its id (issue 13 item 5); the id stays in
    # the finding's ``rule`` for staff.
    C.CROSS_NOT_CHECKED: ("无法核对{left}与{right}：缺少或无法识别{missing}，请人工核对",
                          "Could not cross-check {left_en} and {right_en}: {missing_en} missing "
                          "or unreadable; a clerk must check it"),
    C.FIELD_CORRECTED: (_FIELD + "由申请人更正，须人工核对，不能秒批",
                        _FIELD_EN + " was corrected by the applicant; a clerk must check it "
                        "(no instant approval)"),
    C.LICENCE_FORGED: ("{material}为电子证照，但签名或内容核验未通过（可能被篡改或伪造），"
                       "其内容不予采信",
                       "The {material_en} is an e-licence whose signature or content did not "
                       "verify (modified or forged); none of its fields are trusted"),
    C.LICENCE_REVOKED: ("{material}为已吊销/注销的电子证照，其内容不予采信",
                        "The {material_en} is a revoked e-licence; none of its fields are "
                        "trusted"),
    C.LICENCE_EXPIRED: ("{material}为已过有效期的电子证照，其内容不予采信",
                        "The {material_en} is an expired e-licence; none of its fields are "
                        "trusted"),
    C.LICENCE_NOT_YET_VALID: ("{material}为尚未生效的电子证照，其内容不予采信",
                              "The {material_en} is an e-licence not yet in force; none of its "
                              "fields are trusted"),
    C.LICENCE_UNTRUSTED_ISSUER: ("{material}的颁发机构不在本机关信任的签发机构之列，其内容不予采信",
                                 "The {material_en} was issued by an office this office does "
                                 "not trust; none of its fields are trusted"),
    C.LICENCE_REVOCATION_UNKNOWN: ("{material}的吊销状态无法确认（状态列表过期或缺失），请人工核对",
                                   "Whether the {material_en} is revoked is unknown (status "
                                   "list stale or missing); a clerk must check it"),
    C.LICENCE_TYPE_NOT_ACCEPTED: ("{material}是本事项不接受的电子证照类型，其内容不予采信",
                                  "The {material_en} is an e-licence of a type this service "
                                  "does not accept; none of its fields are trusted"),
    C.LICENCE_UNVERIFIED: ("{material}为电子证照，但未能完成核验，其内容不予采信",
                           "The {material_en} is an e-licence that could not be verified; "
                           "none of its fields are trusted"),
}


def render(code: C, params: dict[str, Any]) -> tuple[str, str]:
    """The (Chinese, English) messages for ``code``; missing parameters show as ``?``."""
    zh, en = TEMPLATES[code]
    values: defaultdict[str, Any] = defaultdict(lambda: "?", params)
    return zh.format_map(values), en.format_map(values)
