// Small progressive enhancements of our own. Every page works without this file.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.dataset.confirm)) {
    event.preventDefault();
  }
});

// "Select all on this page": a checkbox with data-select-all="NAME" ticks every enabled checkbox named NAME in
// its form (delegated, so it works on tables swapped in by htmx).
document.addEventListener("change", (event) => {
  const box = event.target;
  if (!(box instanceof HTMLInputElement) || box.type !== "checkbox" || !box.form) {
    return;
  }
  if (box.dataset.selectAll) {
    for (const item of box.form.querySelectorAll(`input[type=checkbox][name="${box.dataset.selectAll}"]`)) {
      if (!item.disabled) {
        item.checked = box.checked;
      }
    }
    return;
  }
  const all = box.form.querySelector(`input[data-select-all="${box.name}"]`);
  if (all) {
    const items = [...box.form.querySelectorAll(`input[type=checkbox][name="${box.name}"]`)];
    all.checked = items.length > 0 && items.every((item) => item.checked);
  }
});

// The menu collapses behind a disclosure button on narrow screens. Without this script the menu simply stays open
// (the button is `hidden` in the HTML); the CSS hides the menu only while the button says aria-expanded="false".
const menuButton = document.querySelector(".menu-toggle");
if (menuButton) {
  const narrow = window.matchMedia("(max-width: 760px)");
  menuButton.hidden = false;
  menuButton.setAttribute("aria-expanded", narrow.matches ? "false" : "true");
  narrow.addEventListener("change", () => menuButton.setAttribute("aria-expanded", narrow.matches ? "false" : "true"));
  menuButton.addEventListener("click", () => {
    const open = menuButton.getAttribute("aria-expanded") === "true";
    menuButton.setAttribute("aria-expanded", open ? "false" : "true");
  });
}
// Error summary (templates/forms/summary.html): a link puts the cursor in its field, not only scrolls to it.
document.addEventListener("click", (event) => {
  const link = event.target.closest(".error-summary a[href^='#']");
  const field = link && document.getElementById(link.getAttribute("href").slice(1));
  if (field) {
    event.preventDefault();
    field.scrollIntoView({ block: "center" });
    field.focus();
  }
});

// A region that scrolls sideways (a wide table in its card) must be reachable by keyboard to be scrolled
// without a mouse: give it a tab stop when, and only when, it overflows.
function markScrollableRegions(root) {
  root.querySelectorAll(".card, .table-wrap").forEach((element) => {
    if (element.scrollWidth > element.clientWidth && !element.hasAttribute("tabindex")) {
      element.setAttribute("tabindex", "0");
    }
  });
}
document.addEventListener("DOMContentLoaded", () => markScrollableRegions(document));
document.addEventListener("htmx:afterSettle", (event) => markScrollableRegions(event.target));
