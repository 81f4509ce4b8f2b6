"""What the pages call things, in Chinese and English: field keys, rule ids, finding codes,
material slots, review decisions, licence statuses and application states. Every label a page
shows comes from these tables (issue 13, item 5: no ``birth_date``, ``form_name_matches_card``
or ``return_for_correction`` on a page); codes are for staff and are shown small.

The tables cover every key the code can produce: the OCR field names (``core`` field enums),
the field and cross-rule ids of the bundled service definitions (``verify/forms/services``),
the field rule types, the finding codes of ``verify.forms``, the material slot ids, and the
values of ``api.db``'s states and decisions and of the licence register's statuses
(tests/unit/api/test_labels.py derives those lists from the code and fails on a missing label).
Other modules may add entries; the structure lives here.

Templates reach it as the global ``labels`` (:func:`register`): ``labels.field("birth_date")``
gives ``("出生日期", "Date of birth")``; the macro ``bi`` in ``_macros.html`` prints such a pair
as the page's two language spans. An unknown key gets a readable fallback (the key with
underscores as spaces), never an error. Imports nothing from the project."""

from __future__ import annotations

from typing import Any

__all__ = ["DECISIONS", "ELICENCE_VERDICTS", "FIELDS", "FIELDS_BY_KIND", "FINDINGS", "LABELS",
           "LICENCE_DOWNLOADS",
           "LICENCE_STATUSES", "Labels", "PRINTED", "RULES", "SLOTS", "STATES", "register"]

Pair = tuple[str, str]

# Fields read from documents and forms, by key: the OCR field names (core.IdCardFrontField,
# IdCardBackField, BusinessLicenceField) and the field ids of the service definitions.
FIELDS: dict[str, Pair] = {
    # Resident ID card, portrait side
    "name": ("姓名", "Name"),
    "sex": ("性别", "Sex"),
    "ethnicity": ("民族", "Ethnicity"),
    "birth_date": ("出生日期", "Date of birth"),
    "address": ("住址", "Address"),
    "id_number": ("公民身份号码", "ID number"),
    # Resident ID card, emblem side
    "issuing_authority": ("签发机关", "Issuing authority"),
    "valid_from": ("有效期起", "Valid from"),
    "valid_until": ("有效期至", "Valid until"),
    # Business licence
    "uscc": ("统一社会信用代码", "Unified social credit code"),
    "entity_type": ("类型", "Entity type"),
    "legal_representative": ("法定代表人", "Legal representative"),
    "registered_capital": ("注册资本", "Registered capital"),
    "established_date": ("成立日期", "Date established"),
    "term_from": ("营业期限起", "Business term from"),
    "term_until": ("营业期限至", "Business term until"),
    "business_scope": ("经营范围", "Business scope"),
    "registration_authority": ("登记机关", "Registration authority"),
    "registration_date": ("登记日期", "Registration date"),
    "registration_number": ("注册号", "Registration number"),
    # Application forms (the service definitions' form fields)
    "phone": ("联系电话", "Phone"),
    "reason": ("原因", "Reason"),
    "delivery": ("领证方式", "Collection"),
    "signature": ("签名", "Signature"),
    "application_date": ("申请日期", "Application date"),
    "business_name": ("个体工商户名称", "Business name"),
    "operator_name": ("经营者姓名", "Operator's name"),
    "staff": ("从业人数", "Staff"),
    "composition": ("组成形式", "Form of organisation"),
    "funds": ("资金数额", "Funds"),
    "company_name": ("企业名称", "Company name"),
    "matter": ("申请事项", "Matter"),
    "previous_representative": ("原法定代表人", "Previous representative"),
    "new_representative": ("新法定代表人", "New representative"),
    "applicant_name": ("申请人姓名", "Applicant's name"),
    "email": ("电子邮箱", "Email"),
    "permit_number": ("许可证编号", "Permit number"),
    "change_items": ("变更事项", "Changes"),
    "principal": ("主要负责人", "Principal"),
}
# Where a document kind prints a field under another name than FIELDS gives (by MaterialKind).
FIELDS_BY_KIND: dict[str, dict[str, Pair]] = {
    "business_licence": {
        "name": ("名称", "Business name"),
        "address": ("住所", "Domicile"),
    },
}
# Material slots, by id (the service definitions' material ids); a page with the service at
# hand prefers the service's own material names.
SLOTS: dict[str, Pair] = {
    "id_front": ("居民身份证（人像面）", "ID card (photo side)"),
    "id_back": ("居民身份证（国徽面）", "ID card (emblem side)"),
    "form": ("申请表", "Application form"),
    "photo": ("相片", "Photo"),
    "licence": ("营业执照", "Business licence"),
}
# Field rule types (verify.forms RuleType), cross-rule types, and the cross rules of the
# bundled service definitions, by id.
RULES: dict[str, Pair] = {
    # Field rule types
    "required": ("必填", "Required"),
    "length": ("长度", "Length"),
    "regex": ("格式", "Format"),
    "enum": ("可选值", "Allowed values"),
    "date": ("日期", "Date"),
    "id_number": ("公民身份号码校验", "ID number check"),
    "uscc": ("统一社会信用代码校验", "Credit code check"),
    "org_code": ("组织机构代码校验", "Organisation code check"),
    "mobile": ("手机号码校验", "Mobile number check"),
    "person_name": ("姓名校验", "Name check"),
    # Cross-rule types
    "equal": ("前后一致", "Must match"),
    "different": ("前后不同", "Must differ"),
    "id_number_birth_date": ("出生日期与身份号码一致", "Birth date matches the ID number"),
    "id_number_sex": ("性别与身份号码一致", "Sex matches the ID number"),
    "valid_on": ("证件在有效期内", "Document valid on the date"),
    # Cross rules of the bundled services
    "form_name_matches_card": ("申请表姓名与身份证一致", "Form name matches the ID card"),
    "form_id_number_matches_card": ("申请表身份号码与身份证一致",
                                    "Form ID number matches the ID card"),
    "form_sex_matches_card": ("申请表性别与身份证一致", "Form sex matches the ID card"),
    "form_birth_date_matches_card": ("申请表出生日期与身份证一致",
                                     "Form date of birth matches the ID card"),
    "form_ethnicity_matches_card": ("申请表民族与身份证一致",
                                    "Form ethnicity matches the ID card"),
    "form_address_matches_card": ("申请表地址与身份证一致", "Form address matches the ID card"),
    "card_birth_date_matches_number": ("身份证出生日期与身份号码一致",
                                       "Card date of birth matches its ID number"),
    "card_sex_matches_number": ("身份证性别与身份号码一致", "Card sex matches its ID number"),
    "signature_matches_name": ("签名与姓名一致", "Signature matches the name"),
    "card_valid_on_application_date": ("申请日身份证在有效期内",
                                       "ID card valid on the application date"),
    "card_valid_today": ("身份证在有效期内", "ID card valid today"),
    "operator_matches_card": ("经营者与身份证一致", "Operator matches the ID card"),
    "signature_matches_operator": ("签字与经营者一致", "Signature matches the operator"),
    "form_uscc_matches_licence": ("申请表信用代码与营业执照一致",
                                  "Form credit code matches the licence"),
    "form_company_matches_licence": ("申请表企业名称与营业执照一致",
                                     "Form company name matches the licence"),
    "previous_representative_matches_licence": ("原法定代表人与营业执照一致",
                                                "Previous representative matches the licence"),
    "representative_changes": ("法定代表人确有变更", "The representative changes"),
    "new_representative_matches_card": ("新法定代表人与身份证一致",
                                        "New representative matches the ID card"),
    "signature_matches_new_representative": ("签字与新法定代表人一致",
                                             "Signature matches the new representative"),
    "licence_not_expired": ("营业执照在有效期内", "Business licence not expired"),
    "principal_matches_card": ("主要负责人与身份证一致", "Principal matches the ID card"),
}
# Finding codes (verify.forms FindingCode values): what kind of problem a finding is.
FINDINGS: dict[str, Pair] = {
    "material.missing": ("缺少材料", "Missing material"),
    "material.too_many": ("材料多于所需", "Too many copies"),
    "material.unexpected": ("不需要的材料", "Material not asked for"),
    "material.unrecognised": ("无法识别的材料", "Unrecognised document"),
    "material.quality": ("图像质量问题", "Image quality"),
    "material.title_mismatch": ("表格标题不符", "Wrong form title"),
    "photo.failed": ("相片不合格", "Photo does not meet the rules"),
    "photo.not_checked": ("相片未核验", "Photo not checked"),
    "field.missing": ("缺少信息", "Missing entry"),
    "field.low_confidence": ("识别不确定", "Uncertain reading"),
    "field.too_short": ("内容过短", "Too short"),
    "field.too_long": ("内容过长", "Too long"),
    "field.pattern": ("格式不正确", "Wrong format"),
    "field.not_allowed": ("不在可选范围内", "Not an allowed value"),
    "field.not_a_date": ("不是有效日期", "Not a valid date"),
    "field.too_early": ("日期过早", "Date too early"),
    "field.too_late": ("日期过晚", "Date too late"),
    "field.multiple_ticked": ("勾选了多项", "Several options ticked"),
    "id_number.length": ("身份号码位数不对", "ID number length"),
    "id_number.charset": ("身份号码含无效字符", "ID number characters"),
    "id_number.region": ("身份号码地址码不存在", "ID number region"),
    "id_number.birth_date": ("身份号码出生日期不存在", "ID number birth date"),
    "id_number.birth_in_future": ("身份号码出生日期晚于今天", "ID number birth date in future"),
    "id_number.check_char": ("身份号码校验码错误", "ID number check character"),
    "uscc.length": ("信用代码位数不对", "Credit code length"),
    "uscc.charset": ("信用代码含无效字符", "Credit code characters"),
    "uscc.check_char": ("信用代码校验码错误", "Credit code check character"),
    "uscc.region": ("信用代码行政区划码错误", "Credit code region"),
    "uscc.org_code": ("信用代码中的组织机构代码错误", "Credit code organisation code"),
    "org_code.length": ("组织机构代码位数不对", "Organisation code length"),
    "org_code.charset": ("组织机构代码含无效字符", "Organisation code characters"),
    "org_code.check_char": ("组织机构代码校验码错误", "Organisation code check character"),
    "mobile.length": ("手机号码位数不对", "Mobile number length"),
    "mobile.charset": ("手机号码含无效字符", "Mobile number characters"),
    "mobile.prefix": ("手机号码号段不存在", "Mobile number prefix"),
    "person_name.character": ("姓名含无效字符", "Name characters"),
    "person_name.dot": ("姓名间隔号有误", "Name separator dot"),
    "person_name.too_short": ("姓名过短", "Name too short"),
    "person_name.too_long": ("姓名过长", "Name too long"),
    "cross.mismatch": ("前后不一致", "Mismatch between materials"),
    "cross.same": ("应不同却相同", "Should differ but is the same"),
    "cross.birth_date_mismatch": ("出生日期与身份号码不符", "Birth date does not match"),
    "cross.sex_mismatch": ("性别与身份号码不符", "Sex does not match"),
    "cross.expired": ("证件已过期", "Document expired"),
    "cross.not_yet_valid": ("证件尚未生效", "Document not yet valid"),
    "cross.not_checked": ("无法比对", "Could not be compared"),
    "field.corrected": ("申请人已更正", "Corrected by the applicant"),
    "licence.forged": ("电子证照无法验证", "E-licence does not verify"),
    "licence.revoked": ("电子证照已吊销", "E-licence revoked"),
    "licence.expired": ("电子证照已过期", "E-licence expired"),
    "licence.not_yet_valid": ("电子证照尚未生效", "E-licence not yet valid"),
    "licence.untrusted_issuer": ("签发机关不受信任", "Issuer not trusted"),
    "licence.revocation_unknown": ("无法确认是否吊销", "Revocation status unknown"),
    "licence.type_not_accepted": ("不接受此类电子证照", "E-licence type not accepted"),
    "licence.error": ("电子证照核验出错", "E-licence could not be checked"),
}
# Review decisions (api.db.ReviewDecision values).
DECISIONS: dict[str, Pair] = {
    "approve": ("批准", "Approve"),
    "reject": ("不予批准", "Reject"),
    "return_for_correction": ("退回补正", "Return for correction"),
}
# Application states (api.db.ApplicationState values).
STATES: dict[str, Pair] = {
    "draft": ("草稿", "Draft"),
    "submitted": ("已提交", "Submitted"),
    "processing": ("处理中", "Processing"),
    "needs_review": ("待人工审核", "Awaiting a clerk"),
    "approved": ("已批准", "Approved"),
    "rejected": ("不予批准", "Rejected"),
    "returned_for_correction": ("退回补正", "Returned for correction"),
    "issued": ("已发证", "Licence issued"),
}
# Boxes printed on the bundled application forms that are no service field (the office's own
# boxes), by their printed label: a form's fields are read by printed label (ocr.documents.form).
PRINTED: dict[str, Pair] = {
    "受理编号": ("受理编号", "Office reference number"),
    "受理单位": ("受理单位", "Receiving office"),
    "受理人": ("受理人", "Received by"),
    "受理日期": ("受理日期", "Date received"),
}
# Licence statuses (the registry's status values, elicense.LicenceStatus, and the states a
# page derives from them and the validity dates).
LICENCE_STATUSES: dict[str, Pair] = {
    "valid": ("有效", "Valid"),
    "revoked": ("已吊销", "Revoked"),
    "suspended": ("已中止", "Suspended"),
    "expired": ("已过期", "Expired"),
    "not_yet_valid": ("尚未生效", "Not yet valid"),
}
# The files an issued licence is downloaded as (a service's ``licence.formats``).
LICENCE_DOWNLOADS: dict[str, Pair] = {
    "pdf": ("下载 PDF", "Download PDF"),
    "ofd": ("下载 OFD 版", "Download OFD"),
}

# What an e-licence file amounts to, by its stable code: a material handed in as an e-licence
# (elicense.ElicenceOutcome) and a licence file this office issued, checked again on the
# clerk's review (api.workflow.issued_view.IssuedFileCode adds the codes of the stored file).
ELICENCE_VERDICTS: dict[str, Pair] = {
    "licence.verified": ("✔ 已核验电子证照", "✔ verified e-licence"),
    "licence.revoked": ("✘ 已吊销的电子证照", "✘ revoked e-licence"),
    "licence.forged": ("✘ 签名无效：被篡改或伪造的电子证照", "✘ forged or modified e-licence"),
    "licence.untrusted_issuer": ("✘ 颁发机构不受信任", "✘ issuer not trusted"),
    "licence.expired": ("✘ 已过有效期的电子证照", "✘ expired e-licence"),
    "licence.not_yet_valid": ("✘ 尚未生效的电子证照", "✘ e-licence not yet in force"),
    "licence.revocation_unknown": ("✘ 无法确认是否已被吊销", "✘ revocation cannot be confirmed"),
    "licence.error": ("✘ 电子证照未通过核验", "✘ e-licence not verified"),
    "licence.file_missing": ("✘ 存储的文件不存在", "✘ the stored file is missing"),
    "licence.file_unreadable": ("✘ 无法读取存储的文件", "✘ the stored file cannot be read"),
    "licence.trust_unavailable": ("✘ 无法读取本机构的信任材料，未能核验",
                                  "✘ not checked: this office's trust material cannot be read"),
    "licence.file_altered": ("✘ 存储的文件不是颁发时的文件",
                             "✘ the stored file is not the one issued"),
    "licence.identifier_mismatch": ("✘ 文件载明的是另一份证照", "✘ the file is another licence"),
}


def _key(key: Any) -> str:
    """The table key of an enum member or a string."""
    return str(getattr(key, "value", key))


def _fallback(key: Any) -> Pair:
    text = _key(key).replace("_", " ").replace(".", " ").strip()
    return text, text


class Labels:
    """Lookups over the tables; each returns a (Chinese, English) pair."""

    def field(self, key: Any, kind: Any = None) -> Pair:
        """A field by its id or its ``material.field`` reference; ``kind`` (a material kind)
        picks the name that kind of document prints."""
        name = _key(key).rsplit(".", 1)[-1]
        by_kind = FIELDS_BY_KIND.get(_key(kind), {}) if kind is not None else {}
        return by_kind.get(name) or FIELDS.get(name) or _fallback(name)

    def on_material(self, key: Any, material: Any = None) -> Pair:
        """A field of a material as a page shows it. ``key`` is a field id or, for a form read
        by its printed labels, the label printed on the form; ``material`` (a service's
        material spec: ``kind``, ``fields`` with ``id``, ``name``, ``label``, ``aliases``) maps
        a printed label to its field: the form's own words in Chinese, the field's English name
        from FIELDS."""
        name = _key(key).rsplit(".", 1)[-1]
        kind = getattr(material, "kind", None)
        for spec in getattr(material, "fields", ()) or ():
            printed = (spec.label, *spec.aliases) if spec.label else ()
            if name == spec.id or name in printed or name == spec.name:
                zh = spec.name or spec.label or self.field(spec.id, kind)[0]
                return zh, self.field(spec.id, kind)[1]
        if name in PRINTED:
            return PRINTED[name]
        english = next((en for zh, en in FIELDS.values() if zh == name), None)
        if english is not None:
            return name, english
        return self.field(name, kind)

    def decision(self, key: Any) -> Pair:
        return DECISIONS.get(_key(key)) or _fallback(key)

    def state(self, key: Any) -> Pair:
        return STATES.get(_key(key)) or _fallback(key)

    def licence_status(self, key: Any) -> Pair:
        return LICENCE_STATUSES.get(_key(key)) or _fallback(key)

    def elicence_verdict(self, key: Any) -> Pair:
        """An e-licence file's verdict in words, by its code; any other code is "not
        verified"."""
        return ELICENCE_VERDICTS.get(_key(key)) or ELICENCE_VERDICTS["licence.error"]

    def download(self, key: Any) -> Pair:
        """The link to download an issued licence as ``key`` (``pdf``, ``ofd``)."""
        return LICENCE_DOWNLOADS.get(_key(key)) or _fallback(key)

    def rule(self, key: Any) -> Pair:
        """A rule id or type, or a finding code."""
        return RULES.get(_key(key)) or FINDINGS.get(_key(key)) or _fallback(key)

    def finding(self, key: Any) -> Pair:
        return FINDINGS.get(_key(key)) or _fallback(key)

    def slot(self, key: Any) -> Pair:
        return SLOTS.get(_key(key)) or _fallback(key)


LABELS = Labels()


def register(env: Any) -> None:
    """Make the tables a global of a Jinja environment."""
    env.globals["labels"] = LABELS
