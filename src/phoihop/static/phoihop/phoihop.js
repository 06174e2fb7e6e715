// Small progressive enhancements; every page works without script.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector("[data-autofocus]");
  if (summary) { summary.focus(); }
});
