/* The /verify/offline page (api/templates/verify_offline.html): reads the trust material the
   page carries (the JSON in #offline-trust's data-trust attribute), checks what is typed or
   pasted into the token field (a bare ZZ1: token or the /v#… link; Enter submits) entirely in
   the page, and shows the verdict in #offline-result, whose data-indication is PASSED, FAILED
   or INDETERMINATE. Nothing is sent anywhere. window.zzOffline.check(text, {trust, now}) runs
   the same check with other trust material or another time (the conformance test uses it).
   The camera button reads a QR code live (camera.js) and checks it the same way.

   Trust: the page uses the trust JSON only as signed by the office root (data-trust-cose,
   verified with data-root). The root's fingerprint is pinned in localStorage on the first
   visit; a page or refresh signed by another root is refused. Without verified trust every
   check is INDETERMINATE (trust.unverified). */
import { startCamera } from "./camera.js";

export const WORDS = {
  PASSED: ["有效", "Valid"],
  FAILED: ["无效", "Not valid"],
  INDETERMINATE: ["无法确认", "Cannot be confirmed"],
  "token.malformed": ["不是格式正确的电子证照二维码内容", "Not a well-formed e-licence code"],
  "token.non_canonical": ["令牌编码与签发时不符（可能被改动）", "The token is not encoded as issued (it may have been altered)"],
  "token.unsupported_algorithm": ["不支持的签名算法", "Unsupported signature algorithm"],
  "token.unknown_kid": ["签名密钥不在信任列表中", "Signed with a key that is not on the trust list"],
  "token.bad_signature": ["签名无效：内容被改动或伪造", "Bad signature: the content was altered or forged"],
  "token.signer_not_valid": ["签名时签名证书不在有效期内", "The signing certificate was not valid when it signed"],
  "token.not_yet_valid": ["令牌尚未生效", "The token is not valid yet"],
  "token.expired": ["令牌已过期", "The token has expired"],
  "token.error": ["核验未能完成", "The check could not be completed"],
  "licence.issuer_mismatch": ["证照所载颁发机构与签名机构不符", "The licence names another issuer than the one that signed it"],
  "licence.revoked": ["该证照已被吊销/注销", "The licence has been revoked"],
  "licence.revocation_unknown": ["吊销状态未知", "Revocation status unknown"],
  "licence.expired": ["证照已过有效期", "The licence has expired"],
  "licence.not_yet_valid": ["证照尚未生效", "The licence is not yet in force"],
  "licence.error": ["核验未能完成", "The check could not be completed"],
  "trust.unverified": ["信任材料未通过校验，无法核验", "The trust material did not verify: nothing can be checked"]
};

const PIN = "zz-offline-root";
const TRUST_STATES = {
  verified: ["信任材料已由本机构根证书签名并校验", "Trust material signed by the office root and verified"],
  unsigned: ["信任材料未签名，无法核验", "The trust material is not signed: nothing can be checked"],
  "root-changed": ["本机构根证书与首次访问时不同，拒绝使用", "The office root differs from the one pinned on the first visit: refused"],
  "bad-signature": ["信任材料签名无效，拒绝使用", "The trust material's signature is not valid: refused"]
};

/* The verified trust JSON in ``holder``'s data attributes, and how it went. */
export async function loadTrust(holder, openSignedTrust, fingerprint) {
  const cose = holder.getAttribute("data-trust-cose");
  const root = holder.getAttribute("data-root");
  if (!cose || !root) {
    return { trust: null, state: "unsigned" };
  }
  let pinned = null;
  let print = null;
  try {
    print = await fingerprint(root);
    pinned = window.localStorage.getItem(PIN);
  } catch (error) {
    pinned = null;
  }
  if (pinned && pinned !== print) {
    return { trust: null, state: "root-changed" };
  }
  try {
    const trust = await openSignedTrust(cose, root);
    if (!pinned && print) {
      try {
        window.localStorage.setItem(PIN, print);
      } catch (error) {
        // private mode: no pin, the check itself still holds for this visit
      }
    }
    return { trust, state: "verified" };
  } catch (error) {
    return { trust: null, state: "bad-signature" };
  }
}

const FACTS = [
  ["name", "证照名称", "Licence"],
  ["identifier", "证照标识", "Identifier"],
  ["holder_name", "持证主体", "Holder"],
  ["holder_code", "持证主体代码", "Holder code"],
  ["issuer_name", "颁发机构", "Issuer"],
  ["issued_on", "颁发日期", "Issued on"],
  ["valid_from", "有效期起始", "Valid from"],
  ["valid_until", "有效期截止", "Valid until"]
];

const CLASSES = { PASSED: "passed", FAILED: "failed", INDETERMINATE: "unsure" };

export function bi(zh, en) {
  const out = document.createDocumentFragment();
  const a = document.createElement("span");
  a.className = "zh";
  a.textContent = zh;
  const b = document.createElement("span");
  b.className = "en";
  b.textContent = en;
  out.append(a, b);
  return out;
}

export function element(tag, className, ...children) {
  const node = document.createElement(tag);
  if (className) {
    node.className = className;
  }
  node.append(...children);
  return node;
}

export function when(seconds) {
  if (seconds === null || seconds === undefined) {
    return "";
  }
  // China time, as the office shows it (UTC+8, no summer time).
  return new Date((seconds + 8 * 3600) * 1000).toISOString().slice(0, 16).replace("T", " ") + " (UTC+8)";
}

function render(result, verdict, elapsed, now) {
  const kind = CLASSES[verdict.indication] || "unsure";
  result.className = "offline-result " + kind;
  result.setAttribute("data-indication", verdict.indication);
  result.setAttribute("data-sub-indication", verdict.sub_indication || "");
  const [zh, en] = WORDS[verdict.indication] || WORDS.INDETERMINATE;
  const mark = { passed: "✓", failed: "✗", unsure: "?" }[kind];
  const heading = element("h2", "offline-verdict", element("span", "mark", mark), bi(zh, en));
  heading.setAttribute("tabindex", "-1");
  const parts = [heading];
  if (verdict.sub_indication && WORDS[verdict.sub_indication]) {
    const [rzh, ren] = WORDS[verdict.sub_indication];
    parts.push(element("p", "offline-reason", bi(rzh, ren)));
  }
  const status = verdict.status;
  if (verdict.sub_indication === "licence.revocation_unknown") {
    const since = status && status.code === "token.expired" ? when(status.expires) : null;
    parts.push(element("p", "offline-stale", since
      ? bi(`自 ${since} 起吊销状态未知（状态列表已过期，请联网刷新）`,
        `Revocation unknown since ${since} (the status list is out of date: refresh it online)`)
      : bi("吊销状态未知（无有效的状态列表）", "Revocation unknown (no valid status list)")));
  }
  if (verdict.licence) {
    const list = element("dl", "offline-facts");
    for (const [key, fzh, fen] of FACTS) {
      const value = verdict.licence[key];
      if (value === null || value === undefined || value === "") {
        continue;
      }
      list.append(element("dt", "", bi(fzh, fen)), element("dd", "", String(value)));
    }
    if (verdict.licence.valid_until === null) {
      list.append(element("dt", "", bi("有效期截止", "Valid until")), element("dd", "", bi("长期", "Open-ended")));
    }
    parts.push(list);
  }
  if (verdict.signed_by && verdict.indication !== "FAILED") {
    parts.push(element("p", "offline-signer", bi(`签名机构：${verdict.signed_by.name_zh}（${verdict.signed_by.code}）`,
      `Signed by: ${verdict.signed_by.name_en} (${verdict.signed_by.code})`)));
  }
  if (status && status.issued_at) {
    parts.push(element("p", "offline-age", bi(`状态列表生成于 ${when(status.issued_at)}`,
      `Status list made ${when(status.issued_at)}`)));
  }
  const timing = element("p", "offline-time", bi(`在本页内核验，未联网 · ${when(now)} · ${elapsed.toFixed(1)} 毫秒`,
    `Checked in this page, nothing sent · ${when(now)} · ${elapsed.toFixed(1)} ms`));
  timing.setAttribute("data-ms", elapsed.toFixed(2));
  parts.push(timing);
  result.replaceChildren(...parts);
  result.hidden = false;
}

export async function startPage({ verifyLicence, openSignedTrust, fingerprint }) {
  const source = document.getElementById("offline-trust");
  const result = document.getElementById("offline-result");
  const form = document.getElementById("offline-form");
  const input = document.getElementById("offline-token");
  if (!source || !result) {
    return;
  }
  const loaded = await loadTrust(source, openSignedTrust, fingerprint);
  let pageTrust = loaded.trust;
  let trustState = loaded.state;
  const age = document.getElementById("offline-trust-age");
  function showAge() {
    if (!age) {
      return;
    }
    age.setAttribute("data-trust-state", trustState);
    const [szh, sen] = TRUST_STATES[trustState];
    if (!pageTrust) {
      age.replaceChildren(bi(szh, sen));
      return;
    }
    if (pageTrust.generated_at) {
      const hours = Math.max(0, Math.round((Date.now() / 1000 - pageTrust.generated_at) / 3600));
      age.replaceChildren(bi(`信任材料生成于 ${when(pageTrust.generated_at)}（约 ${hours} 小时前），含 ${pageTrust.issuers.length} 个签发机构`,
        `Trust material made ${when(pageTrust.generated_at)} (about ${hours} h ago), ${pageTrust.issuers.length} issuer(s)`));
      age.setAttribute("data-generated-at", String(pageTrust.generated_at));
      age.append(" · ", bi(szh, sen));
    }
  }
  showAge();
  // The service worker keeps this page (and so its trust material) for visits with no network.
  const sw = source.getAttribute("data-sw");
  if (sw && "serviceWorker" in navigator) {
    navigator.serviceWorker.register(sw, { scope: source.getAttribute("data-scope") || undefined })
      .catch(() => {});
  }
  // Refresh: fetch the page again (the worker caches the fresh copy) and take its trust.
  const refresh = document.getElementById("offline-refresh");
  const refreshState = document.getElementById("offline-refresh-state");
  if (refresh) {
    refresh.addEventListener("click", () => {
      const said = (zh, en) => refreshState && refreshState.replaceChildren(bi(zh, en));
      fetch(window.location.pathname, { cache: "no-store", credentials: "same-origin",
        headers: { "X-ZZ-Refresh": "1" } })
        .then((response) => {
          if (!response.ok) {
            throw new Error("HTTP " + response.status);
          }
          return response.text();
        })
        .then((html) => {
          const fresh = new DOMParser().parseFromString(html, "text/html")
            .getElementById("offline-trust");
          return loadTrust(fresh, openSignedTrust, fingerprint);
        })
        .then((update) => {
          if (!update.trust) {
            said("新的信任材料未通过校验，仍使用原有的", "The new trust material did not verify: the old one is kept");
            return;
          }
          pageTrust = update.trust;
          trustState = update.state;
          showAge();
          said("已更新", "Updated");
        })
        .catch(() => said("无法联网，仍使用已保存的信任材料", "Offline: the saved trust material is still used"));
    });
  }
  const timings = [];

  const unverified = {
    indication: "INDETERMINATE", sub_indication: "trust.unverified",
    checks: [{ check: "trust", outcome: "INDETERMINATE", code: "trust.unverified" }],
    licence: null, signed_by: null, status: null
  };

  async function check(text, options = {}) {
    const trust = options.trust || pageTrust;
    const now = options.now === undefined ? Math.floor(Date.now() / 1000) : options.now;
    const started = performance.now();
    const verdict = trust ? await verifyLicence(text, trust, now) : unverified;
    const elapsed = performance.now() - started;
    timings.push(elapsed);
    render(result, verdict, elapsed, now);
    result.setAttribute("data-state", "done");
    return { ...verdict, ms: elapsed };
  }

  if (form && input) {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      result.setAttribute("data-state", "checking");
      check(input.value).then(() => {
        const heading = result.querySelector("h2");
        if (heading) {
          heading.focus();
        }
      });
    });
  }
  const cameraButton = document.getElementById("offline-camera");
  const video = document.getElementById("offline-video");
  const cameraState = document.getElementById("offline-camera-state");
  let camera = null;
  if (cameraButton && video && navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
    cameraButton.hidden = false;
    cameraButton.addEventListener("click", () => {
      if (camera) {
        camera.stop();
        camera = null;
        return;
      }
      camera = startCamera(video, (text) => {
        camera = null;
        if (input) {
          input.value = text;
        }
        result.setAttribute("data-state", "checking");
        check(text);
      }, (state) => {
        cameraButton.setAttribute("data-camera", state);
        if (state.startsWith("scanning")) {
          cameraButton.setAttribute("data-reader", state);
        }
        if (cameraState) {
          const words = {
            "scanning-native": ["请将二维码对准相机", "Point the camera at the QR code"],
            "scanning-js": ["请将二维码对准相机", "Point the camera at the QR code"],
            denied: ["无法使用相机（未授权或没有相机）", "The camera cannot be used (no permission or no camera)"],
            stopped: ["", ""]
          }[state] || ["", ""];
          cameraState.replaceChildren(bi(words[0], words[1]));
        }
        if (state === "denied" || state === "stopped") {
          camera = null;
        }
      });
    });
  }
  window.zzOffline = {
    check,
    verify: (text, options = {}) => ((options.trust || pageTrust)
      ? verifyLicence(text, options.trust || pageTrust,
        options.now === undefined ? Math.floor(Date.now() / 1000) : options.now)
      : Promise.resolve(unverified)),
    openSignedTrust,
    timings
  };
  // A link opened as /verify/offline#<token> is checked at once (the fragment never leaves).
  if (window.location.hash.length > 1) {
    const text = window.location.href.slice(window.location.href.indexOf("#"));
    check("/v" + text);
  }
  document.documentElement.setAttribute("data-offline-ready", "1");
}
