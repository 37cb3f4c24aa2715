// Writes the Bootstrap subset the pages link (make css): purgecss.config.cjs says what is kept.
const fs = require("fs");
const path = require("path");
const { PurgeCSS } = require("purgecss");

const root = path.resolve(__dirname, "..");
process.chdir(root);
const config = require(path.join(root, "purgecss.config.cjs"));
new PurgeCSS().purge(config).then((results) => {
  // Bootstrap's licence banner is kept at the top; the file is made, never edited.
  fs.writeFileSync(config.output, results[0].css);
  console.log(`${config.output}: ${results[0].css.length} bytes`);
});
