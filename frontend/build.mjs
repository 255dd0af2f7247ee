// Copies the GOV.UK Frontend JS and the few image assets the app uses into
// ../static/govuk/. Run via `npm run build` (after sass has compiled app.scss).
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const src = "node_modules/govuk-frontend/dist/govuk";
const out = "../static/govuk";

mkdirSync(out, { recursive: true });
// The .map file is not shipped, so drop its sourceMappingURL comment (Django's
// manifest storage would otherwise fail collectstatic looking for it).
const js = readFileSync(join(src, "govuk-frontend.min.js"), "utf8");
writeFileSync(
  join(out, "govuk-frontend.min.js"),
  js.replace(/\n?\/\/# sourceMappingURL=\S+\s*$/, "\n"),
);

// Only favicons, app icons and the manifest: no fonts, no crown/crest images.
const keep = (name) =>
  name === "favicon.ico" ||
  name === "favicon.svg" ||
  name === "govuk-icon-mask.svg" ||
  /^govuk-icon-\d+\.png$/.test(name);

rmSync(join(out, "assets"), { recursive: true, force: true });
mkdirSync(join(out, "assets", "images"), { recursive: true });
for (const name of readdirSync(join(src, "assets", "images"))) {
  if (keep(name)) {
    copyFileSync(join(src, "assets", "images", name), join(out, "assets", "images", name));
  }
}
copyFileSync(join(src, "assets", "manifest.json"), join(out, "assets", "manifest.json"));
