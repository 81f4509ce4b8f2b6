/* The in-page check of the /v page (api/templates/verify_link.html, api/static/verify_link.js):
   a licence's QR link /v#<token> is checked here with the offline verifier's own code
   (verify.js) against the signed trust material the /v page carries in #link-trust (the same
   as /verify/offline's, verified against the office root by loadTrust), so the token never
   leaves the browser. window.zzLinkCheck is what verify_link.js calls:

     zzLinkCheck.available()      -> false when the check cannot run here (no WebCrypto)
     zzLinkCheck.check(token)     -> Promise of {verdict, node}: node is the verdict as the
                                     server's fragment shows it (#verdict with data-indication,
                                     the reasons, #licence-facts rows data-fact, the signer and
                                     the check time), for #verdict-slot. */
import { WORDS, bi, element, loadTrust, when } from "./page.js";

const HEADINGS = {
  PASSED: ["ok", "valid", "✔ 证照有效", "✔ Valid licence",
    "证照由下列机构签发且未被改动。请核对持证人与证照内容一致（相片请用“联网核验”查看）。",
    "Issued by the office below and unaltered. Check that the holder matches the details (use “Check online” for the photo)."],
  FAILED: ["bad", "invalid", "✘ 证照无效", "✘ Not a valid licence",
    "请勿接受此证照。如有疑问，请联系签发机构。",
    "Do not accept this licence. If in doubt, contact the issuing office."],
  INDETERMINATE: ["unsure", "unsure", "? 暂时无法确认", "? Cannot be confirmed now",
    "可点“联网核验”向签发机构查询；仍无法确认时请联系签发机构。",
    "Use “Check online” to ask the issuing office; if it still cannot be confirmed, contact the issuing office."]
};

const FACTS = [
  ["name", "证照名称", "Licence"],
  ["holder_name", "持证主体", "Holder"],
  ["holder_code", "持证主体代码", "Holder code"],
  ["issuer_name", "颁发机构", "Issued by"],
  ["issued_on", "颁证日期", "Issued on"],
  ["valid_from", "有效期起始", "Valid from"],
  ["valid_until", "有效期截止", "Valid until"],
  ["identifier", "证照标识", "Identifier"]
];

/* A token without a licence name is named by its type code, as the Python verifier names it
   (the bundled templates' names, in #link-trust's data-type-names). */
function typeName(licence) {
  try {
    const names = JSON.parse(document.getElementById("link-trust").getAttribute("data-type-names") || "{}");
    return (licence.type_code && names[licence.type_code]) || null;
  } catch (error) {
    return null;
  }
}

const UNVERIFIED = {
  indication: "INDETERMINATE", sub_indication: "trust.unverified",
  checks: [{ check: "trust", outcome: "INDETERMINATE", code: "trust.unverified" }],
  licence: null, signed_by: null, status: null
};

function row(key, zh, en, value) {
  const tr = element("tr", "", element("th", "", bi(zh, en)), element("td", "", value));
  tr.setAttribute("data-fact", key);
  tr.firstChild.setAttribute("scope", "row");
  return tr;
}

/* The verdict as nodes shaped like api/templates/_verdict.html. */
function verdictNode(verdict, now) {
  const [cls, kind, hzh, hen, azh, aen] = HEADINGS[verdict.indication] || HEADINGS.INDETERMINATE;
  const section = element("section", "verdict " + cls, element("h1", "", bi(hzh, hen)),
    element("p", "advice", bi(azh, aen)));
  section.id = "verdict";
  section.setAttribute("data-indication", verdict.indication);
  section.setAttribute("data-kind", kind);
  section.setAttribute("data-checked", "in-page");
  const out = document.createDocumentFragment();
  out.append(section);
  const reasons = [];
  if (verdict.sub_indication && WORDS[verdict.sub_indication]) {
    reasons.push(WORDS[verdict.sub_indication]);
  }
  const status = verdict.status;
  if (verdict.sub_indication === "licence.revocation_unknown" && status && status.code === "token.expired") {
    const since = when(status.expires);
    reasons.push([`自 ${since} 起吊销状态未知（状态列表已过期）`,
      `Revocation unknown since ${since} (the status list is out of date)`]);
  }
  if (reasons.length) {
    const list = element("ul", "reasons", ...reasons.map(([zh, en]) => element("li", "", bi(zh, en))));
    list.id = "reasons";
    list.setAttribute("role", verdict.indication === "FAILED" ? "alert" : "note");
    out.append(list);
  }
  // Never any holder data on a FAILED verdict (as the server's page).
  if (verdict.licence && verdict.indication !== "FAILED") {
    const table = element("table", "fields");
    table.id = "licence-facts";
    const shown = { ...verdict.licence, name: verdict.licence.name || typeName(verdict.licence) };
    for (const [key, zh, en] of FACTS) {
      const value = shown[key];
      if (value !== null && value !== undefined && value !== "") {
        table.append(row(key, zh, en, String(value)));
      }
    }
    if (verdict.licence.valid_until === null) {
      table.append(row("valid_until", "有效期截止", "Valid until", bi("长期", "Open-ended")));
    }
    const card = element("div", "licence-card", table);
    card.id = "licence";
    out.append(card);
  }
  const facts = element("dl", "check-facts");
  const signer = element("dd", "");
  signer.id = "signer";
  if (verdict.signed_by && verdict.indication !== "FAILED") {
    const code = element("small", "code", verdict.signed_by.code);
    signer.append(bi(verdict.signed_by.name_zh, verdict.signed_by.name_en), " ", code, " ",
      element("small", "note", bi("（依据本页所带、经本机构根证书签名的信任列表）",
        "(per the trust list in this page, signed by the office root)")));
  } else {
    signer.append(bi("无法确认：不是受信任机构的密钥签名", "Not confirmed: no trusted office's key signed it"));
  }
  const checked = element("dd", "", element("time", "", when(now)));
  checked.id = "checked-at";
  facts.append(element("dt", "", bi("签名机构", "Signed by")), signer,
    element("dt", "", bi("核验时间", "Checked at")), checked);
  out.append(facts);
  return out;
}

export function exposeLinkCheck({ verifyLicence, openSignedTrust, fingerprint }) {
  let loading = null;
  window.zzLinkCheck = {
    available: () => Boolean(window.crypto && window.crypto.subtle)
      && Boolean(document.getElementById("link-trust")),
    async check(token) {
      if (!loading) {
        loading = loadTrust(document.getElementById("link-trust"), openSignedTrust, fingerprint);
      }
      const { trust } = await loading;
      const now = Math.floor(Date.now() / 1000);
      const verdict = trust ? await verifyLicence(token, trust, now) : UNVERIFIED;
      return { verdict, node: verdictNode(verdict, now) };
    }
  };
}
