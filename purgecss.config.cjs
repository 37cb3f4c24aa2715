// Only the Bootstrap rules the app uses (make css): Bootstrap's full stylesheets become
// bootstrap.used.min.css and bootstrap.used.rtl.min.css, the files pages link (the second on
// right-to-left pages: Arabic). The left-to-right source is app/static/vendor/bootstrap/
// bootstrap.min.css (the full 233 KB, kept); the right-to-left one is npm's own build of the
// same version (package.json), whose rules are the same ones with left and right swapped.
// A class counts as used when its name appears in a template, in the app's JavaScript, in
// Bootstrap's own JavaScript (the classes it adds: show, collapsing, dropdown placement...) or in
// Python code that hands classes to templates (status badges). Classes made by joining text in a
// template (alert-{{ category }}) are listed in `safelist`.
const content = [
  "app/templates/**/*.html",
  "app/*/templates/**/*.html",
  "app/static/js/**/*.js",
  "app/static/vendor/bootstrap/bootstrap.bundle.min.js",
  "app/**/*.py",
];
const safelist = {
  // base.html: alert-{{ category }} for flashed messages.
  standard: [/^alert-(success|info|warning|danger)$/],
};

module.exports = [
  {
    content,
    safelist,
    css: ["app/static/vendor/bootstrap/bootstrap.min.css"],
    output: "app/static/vendor/bootstrap/bootstrap.used.min.css",
  },
  {
    content,
    safelist,
    css: ["node_modules/bootstrap/dist/css/bootstrap.rtl.min.css"],
    output: "app/static/vendor/bootstrap/bootstrap.used.rtl.min.css",
  },
];
