// The parts of Bootstrap's JavaScript the pages use (make js): closing alerts (data-bs-dismiss),
// the menu's collapse on narrow screens and the account dropdown, with Popper, which the
// dropdown imports. Each module wires its data-bs-* attributes when loaded; nothing reads
// window.bootstrap. A page that needs another component adds its import here.
import "bootstrap/js/src/alert.js";
import "bootstrap/js/src/collapse.js";
import "bootstrap/js/src/dropdown.js";
