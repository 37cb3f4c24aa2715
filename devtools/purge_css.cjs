// Writes the Bootstrap subsets the pages link (make css): purgecss.config.cjs says what is kept.
const fs = require("fs");
const path = require("path");
const { PurgeCSS } = require("purgecss");

const root = path.resolve(__dirname, "..");
process.chdir(root);
const builds = require(path.join(root, "purgecss.config.cjs"));

(async () => {
  for (const config of builds) {
    const [result] = await new PurgeCSS().purge(config);
    // Bootstrap's licence banner is kept at the top; the file is made, never edited. npm's
    // build names a source map that is not shipped: a browser's tools would ask for it in vain.
    const css = result.css.replace(/\s*\/\*# sourceMappingURL=[^*]*\*\/\s*$/, "");
    fs.writeFileSync(config.output, css);
    console.log(`${config.output}: ${css.length} bytes`);
  }
})();
