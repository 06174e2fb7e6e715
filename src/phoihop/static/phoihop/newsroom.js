// The editorial desk: "insert into the body" buttons for attached images. Without script
// the Markdown line is shown to copy by hand; the live preview is htmx (no code here).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("button[data-insert]").forEach(function (button) {
    var target = document.getElementById(button.getAttribute("data-target"));
    if (!target) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var text = button.getAttribute("data-insert");
      var start = target.selectionStart || 0;
      var end = target.selectionEnd || 0;
      var before = target.value.slice(0, start);
      var after = target.value.slice(end);
      // An image stands in its own paragraph.
      var lead = before && !/\n\n$/.test(before) ? (/\n$/.test(before) ? "\n" : "\n\n") : "";
      var tail = after && !/^\n\n/.test(after) ? (/^\n/.test(after) ? "\n" : "\n\n") : "";
      target.value = before + lead + text + tail + after;
      var caret = (before + lead + text).length;
      target.focus();
      target.setSelectionRange(caret, caret);
      target.dispatchEvent(new Event("input", { bubbles: true }));
    });
  });
});
