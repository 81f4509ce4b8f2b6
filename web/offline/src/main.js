/* Entry point of the offline verifier bundle: the verification core and the page. */
import { fingerprint, openSignedTrust, tokenFromQrText, verifyLicence } from "./verify.js";
import { startPage } from "./page.js";

startPage({ verifyLicence, tokenFromQrText, openSignedTrust, fingerprint });
