/* Entry point of the offline verifier bundle: the verification core, the /verify/offline page
   and the in-page check of the /v page (window.zzLinkCheck, used by api/static/verify_link.js). */
import { fingerprint, openSignedTrust, tokenFromQrText, verifyLicence } from "./verify.js";
import { startPage } from "./page.js";
import { exposeLinkCheck } from "./link.js";

exposeLinkCheck({ verifyLicence, openSignedTrust, fingerprint });
startPage({ verifyLicence, tokenFromQrText, openSignedTrust, fingerprint });
