// Small progressive enhancements; every page works without script.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector("[data-autofocus]");
  if (summary) { summary.focus(); }
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  // A link to a collapsed <details> (or to something inside one) opens it.
  function openTarget() {
    var id;
    try { id = decodeURIComponent(window.location.hash.slice(1)); } catch (e) { return; }
    var target = id && document.getElementById(id);
    if (!target) { return; }
    for (var node = target; node; node = node.parentElement) {
      if (node.tagName === "DETAILS") { node.open = true; }
    }
    target.scrollIntoView();
    var summaryOf = target.tagName === "DETAILS" && target.querySelector("summary");
    if (summaryOf) { summaryOf.focus(); }
  }
  openTarget();
  window.addEventListener("hashchange", openTarget);
});
