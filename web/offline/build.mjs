// Builds api/static/offline/verifier.js from src/ with esbuild (issue 14, item 5). The first
// line of the bundle records the SHA-256 of package-lock.json, so a test can tell that the
// committed bundle was built from the locked packages; the build is byte-for-byte repeatable
// (tests/unit/api/test_offline_bundle.py rebuilds it with `npm ci && npm run build`).
// OUT_DIR overrides the output folder (the test builds into a temporary one).
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const lock = createHash("sha256").update(readFileSync(join(here, "package-lock.json"))).digest("hex");
const outdir = process.env.OUT_DIR || join(here, "..", "..", "api", "static", "offline");

await build({
  entryPoints: [join(here, "src", "main.js")],
  outfile: join(outdir, "verifier.js"),
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2020"],
  charset: "utf8",
  legalComments: "eof",
  banner: { js: `/* zhengzhao offline verifier; package-lock.json sha256 ${lock}; built by web/offline/build.mjs from web/offline/src (do not edit) */` },
  logLevel: "warning",
});
