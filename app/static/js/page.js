// What every page does. No inline script (CSP).
//
// A wide table scrolls sideways inside its own box on a phone (.table-responsive). A box that
// scrolls must be reachable with the keyboard, or a keyboard user cannot see the hidden columns
// (WCAG 2.1.1; axe's scrollable-region-focusable): each such box that does overflow is made a
// focusable, named region, and stops being one when the window is wide enough again. Boxes
// the template already made focusable are left as they are.
(function () {
  "use strict";

  function nameOf(box) {
    var caption = box.querySelector("caption");
    if (caption && caption.textContent.trim()) return caption.textContent.trim();
    var labelled = box.closest("[aria-labelledby]");
    var heading = labelled && document.getElementById(labelled.getAttribute("aria-labelledby"));
    return heading ? heading.textContent.trim() : "";
  }

  function update() {
    document.querySelectorAll(".table-responsive").forEach(function (box) {
      var ours = box.hasAttribute("data-scroll-region");
      if (box.hasAttribute("tabindex") && !ours) return;
      var overflows = box.scrollWidth > box.clientWidth + 1;
      if (overflows && !ours) {
        box.setAttribute("data-scroll-region", "");
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        var name = nameOf(box);
        if (name) box.setAttribute("aria-label", name);
      } else if (!overflows && ours) {
        ["data-scroll-region", "tabindex", "role", "aria-label"].forEach(function (attribute) {
          box.removeAttribute(attribute);
        });
      }
    });
  }

  var pending = null;
  window.addEventListener("resize", function () {
    if (pending) cancelAnimationFrame(pending);
    pending = requestAnimationFrame(update);
  });
  document.addEventListener("DOMContentLoaded", update);
})();
