/* The in-page licence verifier of /verify/offline (issue 14): the same checks, in the same
   order and with the same codes, as the Python verifier (signing/tokens.py, signing/cose.py,
   signing/status_list.py, elicense/verify.py, elicense/issuer_binding.py; specification:
   docs/tokens.md). base45 is written here (docs/tokens.md section 2, with its strict rules);
   CBOR is cborg, inflate and gunzip are pako, ECDSA P-256 is the browser's WebCrypto.

   verifyLicence(text, trust, nowSeconds) resolves to a verdict
   {indication, sub_indication, checks: [{check, outcome, code}], licence, signed_by,
    status: {issued_at, expires} | null}; it never rejects (an internal failure is
   INDETERMINATE, never PASSED). The shared conformance vectors (tests/conformance) hold it to
   the Python verifier's verdicts. */
import { decode as cborDecode, encode as cborEncode } from "cborg";
import { Inflate } from "pako";

export const TOKEN_PREFIX = "ZZ1:";
export const MAX_TOKEN_CHARS = 4296;
const MAX_QR_TEXT_CHARS = 7089;
const MAX_COSE_BYTES = 16 * 1024;
const MAX_STATUS_LIST_BYTES = 16 * 1024 * 1024;
const MAX_SIGNED_STATUS_LIST_BYTES = 24 * 1024 * 1024;
const MIN_STATUS_LIST_BITS = 131072;
const P256_HALF_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551n / 2n;
const ALG_ES256 = -7;
const LABEL_ALG = 1;
const LABEL_CRIT = 2;
const LABEL_KID = 4;
const CLAIM_ISS = 1;
const CLAIM_EXP = 4;
const CLAIM_NBF = 5;
const CLAIM_IAT = 6;
const CLAIM_LICENCE = -65537;
const CLAIM_STATUS_LIST = -65538;
const CHINA_OFFSET_SECONDS = 8 * 3600; // Asia/Shanghai has had no summer time since 1991
const OID_PREFIX = "1.2.156.3005.2";
const MOD37_36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const B45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

class Refusal extends Error {
  constructor(code, reason) {
    super(reason);
    this.code = code;
  }
}
const malformed = (reason) => new Refusal("token.malformed", reason);
const nonCanonical = (reason) => new Refusal("token.non_canonical", reason);

/* ---- framing ---------------------------------------------------------------------------- */

export function b45decode(text) {
  if (text.length % 3 === 1) {
    throw malformed("base45 length");
  }
  const out = [];
  for (let i = 0; i < text.length; i += 3) {
    const values = [];
    for (const ch of text.slice(i, i + 3)) {
      const v = B45.indexOf(ch);
      if (v < 0) {
        throw malformed("base45 character");
      }
      values.push(v);
    }
    if (values.length === 3) {
      const n = values[0] + 45 * values[1] + 2025 * values[2];
      if (n > 0xffff) {
        throw malformed("base45 triplet");
      }
      out.push(n >> 8, n & 0xff);
    } else {
      const n = values[0] + 45 * values[1];
      if (n > 0xff) {
        throw malformed("base45 pair");
      }
      out.push(n);
    }
  }
  return Uint8Array.from(out);
}

/* Inflate exactly one zlib (or gzip) stream that ends at the last byte, at most ``limit``
   bytes out. */
function inflateExact(data, limit, gzip, refusal) {
  const inflater = new Inflate({ windowBits: gzip ? 31 : 15 });
  const chunks = [];
  let total = 0;
  inflater.onData = (chunk) => {
    total += chunk.length;
    if (total > limit) {
      throw refusal("inflates past its limit");
    }
    chunks.push(chunk);
  };
  inflater.onEnd = (status) => {
    inflater.err = status;
  };
  try {
    inflater.push(data, true);
  } catch (error) {
    throw error instanceof Refusal ? error : refusal("not valid compressed data");
  }
  if (inflater.err !== 0 || !inflater.ended || inflater.strm.avail_in !== 0) {
    throw refusal("compressed data truncated, corrupt or followed by other bytes");
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

const TAGS = [];
TAGS[18] = (value) => ({ tag: 18, value });
TAGS[61] = (value) => ({ tag: 61, value });

function decodeOne(bytes) {
  try {
    return cborDecode(bytes, { useMaps: true, tags: TAGS });
  } catch (error) {
    throw malformed("not one CBOR item");
  }
}

function encodeCanonical(item) {
  try {
    return cborEncode(item);
  } catch (error) {
    return null;
  }
}

function sameBytes(a, b) {
  if (!a || !b || a.length !== b.length) {
    return false;
  }
  for (let i = 0; i < a.length; i += 1) {
    if (a[i] !== b[i]) {
      return false;
    }
  }
  return true;
}

const isBytes = (v) => v instanceof Uint8Array;
const isMap = (v) => v instanceof Map;
const isInt = (v) => typeof v === "number" && Number.isInteger(v);

function highS(signature) {
  if (signature.length !== 64) {
    return false;
  }
  let s = 0n;
  for (const byte of signature.subarray(32)) {
    s = (s << 8n) | BigInt(byte);
  }
  return s > P256_HALF_ORDER;
}

/* The COSE_Sign1 message in ``data``, strictly as signing/cose.py decode_sign1 reads it. */
export function decodeSign1(data) {
  let item = decodeOne(data);
  const wrapped = item && item.tag === 61;
  if (wrapped) {
    item = item.value;
  }
  if (!item || item.tag !== 18) {
    throw malformed("not a tagged COSE_Sign1 message");
  }
  const parts = item.value;
  if (!Array.isArray(parts) || parts.length !== 4) {
    throw malformed("a COSE_Sign1 message has four elements");
  }
  const [protectedBytes, unprotected, payload, signature] = parts;
  if (!isBytes(protectedBytes) || !isBytes(payload) || !isBytes(signature)) {
    throw malformed("protected header, payload and signature are byte strings");
  }
  if (!isMap(unprotected)) {
    throw malformed("the unprotected header is a map");
  }
  const header = protectedBytes.length ? decodeOne(protectedBytes) : new Map();
  if (!isMap(header)) {
    throw malformed("the protected header is a map");
  }
  for (const label of header.keys()) {
    if (unprotected.has(label)) {
      throw malformed("a label in both headers");
    }
  }
  if (header.has(LABEL_CRIT) || unprotected.has(LABEL_CRIT)) {
    throw malformed("crit is not supported");
  }
  const kid = header.get(LABEL_KID);
  if (kid !== undefined && !isBytes(kid)) {
    throw malformed("the key id is a byte string");
  }
  if (wrapped) {
    throw nonCanonical("wrapped in tag 61");
  }
  if (unprotected.size) {
    throw nonCanonical("the unprotected header is not empty");
  }
  if (!isBytes(kid) || [...header.keys()].some((k) => k !== LABEL_ALG && k !== LABEL_KID)) {
    throw nonCanonical("the protected header holds a kid and nothing but alg");
  }
  if (!sameBytes(encodeCanonical(header), protectedBytes)) {
    throw nonCanonical("the protected header is not deterministic CBOR");
  }
  const alg = header.get(LABEL_ALG);
  if (alg === ALG_ES256 && highS(signature)) {
    throw nonCanonical("the signature is not low-S");
  }
  const body = encodeCanonical([protectedBytes, new Map(), payload, signature]);
  const expected = body && new Uint8Array(body.length + 1);
  if (expected) {
    expected[0] = 0xd2; // tag 18
    expected.set(body, 1);
  }
  if (!sameBytes(expected, data)) {
    throw nonCanonical("not the encoding we issue");
  }
  return { protectedBytes, alg, kid, payload, signature };
}

export function decodeToken(token) {
  if (typeof token !== "string" || !token.startsWith(TOKEN_PREFIX)) {
    throw malformed("prefix");
  }
  if (token.length > MAX_TOKEN_CHARS) {
    throw malformed("too long");
  }
  const compressed = b45decode(token.slice(TOKEN_PREFIX.length));
  return decodeSign1(inflateExact(compressed, MAX_COSE_BYTES, false, malformed));
}

/* What a QR code or a verifier's input holds -> the token (elicense/qr_link.py). */
const LINK_BASE = /^(?:https?:\/\/[^/\s?#@]+)?(?:\/[^\s?#]*)?\/v$/i;
const PATH_FORM = /^(?:https?:\/\/[^/\s?#@]+)?(?:\/[^\s?#]*)?\/v\/([^?#]+)$/i;

function unquote(text) {
  try {
    return decodeURIComponent(text);
  } catch (error) {
    return text.replace(/%([0-9A-Fa-f]{2})/g, (m, hex) => String.fromCharCode(parseInt(hex, 16)));
  }
}

export function tokenFromQrText(text) {
  const trimmed = String(text).trim();
  if (trimmed.startsWith(TOKEN_PREFIX) || trimmed.length > MAX_QR_TEXT_CHARS) {
    return trimmed;
  }
  const hash = trimmed.indexOf("#");
  if (hash >= 0 && LINK_BASE.test(trimmed.slice(0, hash))) {
    return unquote(trimmed.slice(hash + 1)).trim();
  }
  const match = PATH_FORM.exec(trimmed);
  return match ? unquote(match[1]).trim() : trimmed;
}

/* ---- keys and signatures ---------------------------------------------------------------- */

function fromBase64(text, url) {
  let b64 = url ? text.replace(/-/g, "+").replace(/_/g, "/") : text;
  while (b64.length % 4) {
    b64 += "=";
  }
  const raw = atob(b64);
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i += 1) {
    out[i] = raw.charCodeAt(i);
  }
  return out;
}

function toBase64Url(bytes) {
  let raw = "";
  for (const byte of bytes) {
    raw += String.fromCharCode(byte);
  }
  return btoa(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

const prepared = new WeakMap();

/* The trust JSON (api/workflow/offline_trust.py) with its keys imported into WebCrypto once. */
async function prepare(trust) {
  let ready = prepared.get(trust);
  if (!ready) {
    ready = (async () => {
      const issuers = [];
      for (const issuer of trust.issuers || []) {
        const keys = new Map();
        for (const key of issuer.keys || []) {
          let cryptoKey = null;
          try {
            cryptoKey = await crypto.subtle.importKey(
              "spki", fromBase64(key.spki, false), { name: "ECDSA", namedCurve: "P-256" },
              false, ["verify"]);
          } catch (error) {
            continue; // not a P-256 key: it verifies nothing (signing/cose.py)
          }
          const entry = { cryptoKey, notBefore: key.not_before, notAfter: key.not_after };
          if (!keys.has(key.kid)) {
            keys.set(key.kid, []);
          }
          keys.get(key.kid).push(entry);
        }
        issuers.push({ info: issuer, keys, statusMemo: null });
      }
      // elicense/trusted_issuers.py: own first; a kid more than one other issuer lists picks none.
      const own = issuers.find((i) => i.info.own) || null;
      const byKid = new Map();
      for (const issuer of issuers) {
        if (issuer === own) {
          continue;
        }
        for (const kid of issuer.keys.keys()) {
          byKid.set(kid, byKid.has(kid) ? null : issuer);
        }
      }
      return { own, byKid };
    })();
    prepared.set(trust, ready);
  }
  return ready;
}

async function checkCwt(message, keys) {
  if (message.alg !== ALG_ES256) {
    return { code: "token.unsupported_algorithm" };
  }
  const candidates = keys.get(toBase64Url(message.kid)) || [];
  if (!candidates.length) {
    return { code: "token.unknown_kid" };
  }
  const toBeSigned = cborEncode(["Signature1", message.protectedBytes, new Uint8Array(0),
    message.payload]);
  const signers = [];
  if (message.signature.length === 64 && !highS(message.signature)) {
    for (const key of candidates) {
      if (await crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, key.cryptoKey,
        message.signature, toBeSigned)) {
        signers.push(key);
      }
    }
  }
  if (!signers.length) {
    return { code: "token.bad_signature" };
  }
  const claims = decodeOne(message.payload);
  if (!sameBytes(encodeCanonical(claims), message.payload)) {
    throw nonCanonical("the payload is not deterministic CBOR");
  }
  if (!isMap(claims)) {
    throw malformed("the claims are not a map");
  }
  const time = (key) => {
    const value = claims.get(key);
    if (value === undefined) {
      return null;
    }
    if (typeof value !== "number" || !Number.isFinite(value)) {
      throw malformed("a time claim is not a NumericDate");
    }
    return value;
  };
  return { code: "token.valid", claims, signers, iat: time(CLAIM_IAT), nbf: time(CLAIM_NBF),
    exp: time(CLAIM_EXP) };
}

/* CwtCheck.at: signer valid at iat, then nbf and exp against now. */
function cwtAt(cwt, now) {
  if (!cwt.claims) {
    return cwt.code;
  }
  const moment = cwt.iat === null ? now : cwt.iat;
  if (!cwt.signers.some((k) => k.notBefore <= moment && moment <= k.notAfter)) {
    return "token.signer_not_valid";
  }
  if (cwt.nbf !== null && now < cwt.nbf) {
    return "token.not_yet_valid";
  }
  if (cwt.exp !== null && now >= cwt.exp) {
    return "token.expired";
  }
  return "token.valid";
}

async function guarded(work) {
  try {
    return await work();
  } catch (error) {
    if (error instanceof Refusal) {
      return { code: error.code };
    }
    return { code: "token.error" };
  }
}

/* ---- claims ----------------------------------------------------------------------------- */

const LAST_DAY = 2932896; // 9999-12-31

function readClaims(map) {
  const text = (m, key, required = true) => {
    const value = m.get(key);
    if (value === undefined && !required) {
      return null;
    }
    if (typeof value !== "string" || !value) {
      throw malformed("field must be non-empty text");
    }
    return value;
  };
  const day = (m, key, required = true) => {
    const value = m.get(key);
    if (value === undefined && !required) {
      return null;
    }
    if (!isInt(value) || value < 0 || value > LAST_DAY) {
      throw malformed("field must be a day count");
    }
    return value;
  };
  if (map.get(CLAIM_IAT) === undefined) {
    throw malformed("iat missing");
  }
  const issuer = text(map, CLAIM_ISS);
  const l = map.get(CLAIM_LICENCE);
  if (!isMap(l)) {
    throw malformed("the licence claim is not a map");
  }
  const photo = l.get(9);
  if (photo !== undefined && (!isBytes(photo) || photo.length !== 32)) {
    throw malformed("photo hash");
  }
  const index = l.get(10);
  if (index !== undefined && (!isInt(index) || index < 0)) {
    throw malformed("status index");
  }
  const licence = {
    identifier: text(l, 1), holder_name: text(l, 2), holder_code: text(l, 3),
    holder_code_type: text(l, 4), issuer_name: text(l, 5), issued_on: day(l, 6),
    valid_from: day(l, 7), valid_until: day(l, 8, false), name: text(l, 11, false),
    photo_sha256: photo === undefined ? null : photo, status_index: index === undefined ? null : index
  };
  if (!/^[0-9]{3}$/.test(licence.holder_code_type)) {
    throw malformed("holder code type");
  }
  return { issuer, licence };
}

function mod3736(body) {
  let product = 36;
  for (const ch of body) {
    const total = (product + MOD37_36.indexOf(ch)) % 36 || 36;
    product = (2 * total) % 37;
  }
  return MOD37_36[(37 - product) % 36];
}

const usccShaped = (code) => code.length === 18 && [...code].every((c) => USCC_CHARS.includes(c));

/* The issuer code in a valid GB/T 36904 identifier (elicense/identifier.py), else null. */
function identifierIssuer(identifier) {
  if (typeof identifier !== "string" || !identifier.startsWith(OID_PREFIX + ".")) {
    return null;
  }
  const parts = identifier.slice(OID_PREFIX.length + 1).split(".");
  if (parts.length !== 5) {
    return null;
  }
  const [type, issuer, serial, version, check] = parts;
  const ok = type.length === 21 && usccShaped(type.slice(0, 18)) && /^[0-9]{3}$/.test(type.slice(18))
    && usccShaped(issuer) && /^[0-9A-Z]{1,32}$/.test(serial) && /^[0-9]{3}$/.test(version)
    && version !== "000";
  if (!ok || check !== mod3736(type + issuer + serial + version)) {
    return null;
  }
  return issuer;
}

/* ---- the status list -------------------------------------------------------------------- */

function decodeEncodedList(encoded) {
  const bad = (reason) => malformed("status list: " + reason);
  if (typeof encoded !== "string" || !encoded.startsWith("u")) {
    throw bad("prefix");
  }
  const body = encoded.slice(1);
  if (!/^[A-Za-z0-9_-]*$/.test(body) || body.length % 4 === 1) {
    throw bad("not base64url");
  }
  const compressed = fromBase64(body, true);
  if (toBase64Url(compressed) !== body) {
    throw bad("not base64url");
  }
  const bits = inflateExact(compressed, MAX_STATUS_LIST_BYTES, true, bad);
  if (bits.length * 8 < MIN_STATUS_LIST_BITS) {
    throw bad("too short");
  }
  return bits;
}

/* The time-independent part of verify_status_list, remembered per issuer. */
async function checkedList(issuer) {
  if (!issuer.statusMemo) {
    issuer.statusMemo = guarded(async () => {
      const data = fromBase64(issuer.info.status_list, false);
      if (data.length > MAX_SIGNED_STATUS_LIST_BYTES) {
        throw malformed("status list too large");
      }
      const cwt = await checkCwt(decodeSign1(data), issuer.keys);
      if (!cwt.claims) {
        return cwt;
      }
      const entry = cwt.claims.get(CLAIM_STATUS_LIST);
      if (typeof cwt.claims.get(CLAIM_ISS) !== "string" || cwt.iat === null || !isMap(entry)) {
        throw malformed("status list claims");
      }
      if (entry.get(1) !== "revocation") {
        throw malformed("status purpose");
      }
      return { ...cwt, bits: decodeEncodedList(entry.get(2)) };
    });
  }
  return issuer.statusMemo;
}

async function revocationCheck(claims, issuer, now) {
  const index = claims.licence.status_index;
  if (!issuer.info.status_list || index === null) {
    return { check: ["revocation", "INDETERMINATE", "licence.revocation_unknown"], status: null };
  }
  const checked = await checkedList(issuer);
  const code = checked.bits ? cwtAt(checked, now) : checked.code;
  const status = checked.bits ? { issued_at: checked.iat, expires: checked.exp, code } : null;
  let entry = "unknown";
  if (code === "token.valid" && index < checked.bits.length * 8) {
    entry = (checked.bits[Math.floor(index / 8)] & (0x80 >> (index % 8))) ? "revoked" : "clear";
  }
  if (entry === "revoked") {
    return { check: ["revocation", "FAILED", "licence.revoked"], status };
  }
  if (entry === "unknown") {
    return { check: ["revocation", "INDETERMINATE", "licence.revocation_unknown"], status };
  }
  return { check: ["revocation", "PASSED", "ok"], status };
}

/* ---- the licence verdict ---------------------------------------------------------------- */

function chinaDay(now) {
  return Math.floor((now + CHINA_OFFSET_SECONDS) / 86400);
}

function isoDay(days) {
  return days === null ? null : new Date(days * 86400000).toISOString().slice(0, 10);
}

function publicFacts(claims) {
  const l = claims.licence;
  const parts = l.identifier.split(".");
  const dotted = l.identifier.startsWith(OID_PREFIX + ".") && parts.length === 10;
  return {
    identifier: l.identifier, type_code: dotted ? parts[5] || null : null, name: l.name,
    holder_name: l.holder_name, holder_code: l.holder_code,
    holder_code_type: l.holder_code_type, issuer_name: l.issuer_name,
    issuer_code: dotted ? parts[6] || null : null, issued_on: isoDay(l.issued_on),
    valid_from: isoDay(l.valid_from), valid_until: isoDay(l.valid_until),
    status_index: l.status_index
  };
}

function combine(checks) {
  const failed = checks.find((c) => c.outcome === "FAILED");
  const unsure = checks.find((c) => c.outcome === "INDETERMINATE");
  if (failed) {
    return ["FAILED", failed.code];
  }
  if (unsure || !checks.length) {
    return ["INDETERMINATE", unsure ? unsure.code : null];
  }
  return ["PASSED", null];
}

async function tokenVerdict(token, issuer, now) {
  let kid = null;
  const outcome = await guarded(async () => {
    const message = decodeToken(token);
    kid = toBase64Url(message.kid);
    if (!issuer) {
      return { code: "token.unknown_kid" };
    }
    const cwt = await checkCwt(message, issuer.keys);
    const code = cwtAt(cwt, now);
    if (!cwt.claims) {
      return { code };
    }
    return { code, claims: readClaims(cwt.claims) };
  });
  return { ...outcome, kid };
}

async function licenceVerdict(token, issuer, now) {
  const verdict = await tokenVerdict(token, issuer, now);
  const row = (check, outcome, code) => ({ check, outcome, code });
  const checks = [row("token", verdict.code === "token.valid" ? "PASSED" : "FAILED", verdict.code)];
  const claims = verdict.code === "token.valid" ? verdict.claims : null;
  let status = null;
  if (!claims) {
    checks.push(row("issuer", "INDETERMINATE", "licence.not_checked"),
      row("revocation", "INDETERMINATE", "licence.not_checked"),
      row("validity_period", "INDETERMINATE", "licence.not_checked"));
  } else {
    const info = issuer.info;
    const names = [info.name_zh, info.name_en];
    const same = claims.issuer === info.code
      && identifierIssuer(claims.licence.identifier) === info.code
      && names.includes(claims.licence.issuer_name);
    checks.push(same ? row("issuer", "PASSED", "ok")
      : row("issuer", "FAILED", "licence.issuer_mismatch"));
    const revocation = await revocationCheck(claims, issuer, now);
    status = revocation.status;
    checks.push(row(...revocation.check));
    const today = chinaDay(now);
    const l = claims.licence;
    if (today < l.valid_from) {
      checks.push(row("validity_period", "FAILED", "licence.not_yet_valid"));
    } else if (l.valid_until !== null && today > l.valid_until) {
      checks.push(row("validity_period", "FAILED", "licence.expired"));
    } else {
      checks.push(row("validity_period", "PASSED", "ok"));
    }
  }
  const [indication, sub] = combine(checks);
  return {
    indication, sub_indication: sub, checks, token_code: verdict.code, kid: verdict.kid,
    licence: claims && indication !== "FAILED" ? publicFacts(claims) : null,
    signed_by: claims ? { code: issuer.info.code, name_zh: issuer.info.name_zh,
      name_en: issuer.info.name_en } : null,
    status
  };
}

/* The verdict on what a QR code holds, against ``trust`` at ``now`` (seconds): this office's
   keys first, then the imported issuer whose keys include the token's kid (as the service). */
export async function verifyLicence(text, trust, now) {
  try {
    const token = tokenFromQrText(text);
    const { own, byKid } = await prepare(trust);
    let verdict = await licenceVerdict(token, own, now);
    if (verdict.token_code === "token.unknown_kid" && verdict.kid) {
      const other = byKid.get(verdict.kid);
      if (other) {
        verdict = await licenceVerdict(token, other, now);
      }
    }
    return verdict;
  } catch (error) {
    return { indication: "INDETERMINATE", sub_indication: "licence.error",
      checks: [{ check: "token", outcome: "INDETERMINATE", code: "licence.error" }],
      licence: null, signed_by: null, status: null };
  }
}

/* ---- the page's trust material, signed by the office root ------------------------------- */

/* The trust JSON inside ``coseB64`` (a COSE_Sign1 by the office root, as
   api/workflow/offline_trust.py signs it), verified with the root's public key ``rootSpkiB64``;
   throws when it does not verify. */
export async function openSignedTrust(coseB64, rootSpkiB64) {
  const message = decodeSign1(fromBase64(coseB64, false));
  if (message.alg !== ALG_ES256 || message.signature.length !== 64 || highS(message.signature)) {
    throw new Error("the trust material is not signed ES256");
  }
  const key = await crypto.subtle.importKey("spki", fromBase64(rootSpkiB64, false),
    { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]);
  const toBeSigned = cborEncode(["Signature1", message.protectedBytes, new Uint8Array(0),
    message.payload]);
  if (!(await crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, key, message.signature,
    toBeSigned))) {
    throw new Error("the trust material's signature does not verify");
  }
  return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(message.payload));
}

/* SHA-256 (hex) of a base64 public key: what the page pins. */
export async function fingerprint(spkiB64) {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", fromBase64(spkiB64, false)));
  return [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
}
