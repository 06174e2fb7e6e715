// The person form: accept the suggested readings, add rows of documents and addresses.
document.addEventListener("click", function (event) {
  var accept = event.target.closest("[data-accept-readings]");
  if (accept) {
    var hanViet = document.getElementById("id_han_viet");
    var pinyin = document.getElementById("id_pinyin");
    if (hanViet) { hanViet.value = accept.getAttribute("data-han-viet"); }
    if (pinyin) { pinyin.value = accept.getAttribute("data-pinyin"); }
    if (hanViet) { hanViet.focus(); }
    return;
  }
  var add = event.target.closest("[data-add-row]");
  if (add) {
    var table = document.getElementById(add.getAttribute("data-add-row"));
    if (!table) { return; }
    var body = table.tBodies[0];
    var last = body.rows[body.rows.length - 1];
    var row = last.cloneNode(true);
    row.querySelectorAll("[id]").forEach(function (el) { el.removeAttribute("id"); });
    row.querySelectorAll("input").forEach(function (input) {
      input.value = input.name === "document_country" ? "VN" : "";
    });
    row.querySelectorAll("select").forEach(function (select) { select.selectedIndex = 0; });
    body.appendChild(row);
    var first = row.querySelector("select, input:not([type=hidden])");
    if (first) { first.focus(); }
  }
});
