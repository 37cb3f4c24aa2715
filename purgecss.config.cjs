// Only the Bootstrap rules the app uses (make css): app/static/vendor/bootstrap/bootstrap.min.css
// (the full 233 KB, kept as the source) becomes bootstrap.used.min.css, the file pages link.
// A class counts as used when its name appears in a template, in the app's JavaScript, in
// Bootstrap's own JavaScript (the classes it adds: show, collapsing, dropdown placement...) or in
// Python code that hands classes to templates (status badges). Classes made by joining text in a
// template (alert-{{ category }}) are listed in `safelist`.
module.exports = {
  content: [
    "app/templates/**/*.html",
    "app/*/templates/**/*.html",
    "app/static/js/**/*.js",
    "app/static/vendor/bootstrap/bootstrap.bundle.min.js",
    "app/**/*.py",
  ],
  css: ["app/static/vendor/bootstrap/bootstrap.min.css"],
  output: "app/static/vendor/bootstrap/bootstrap.used.min.css",
  safelist: {
    // base.html: alert-{{ category }} for flashed messages.
    standard: [/^alert-(success|info|warning|danger)$/],
  },
};
