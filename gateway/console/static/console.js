/* ndxp-sim operator console: the live view's event stream, and clean search URLs. No dependencies. */
"use strict";

(function () {
  // Search forms: leave empty fields out of the URL (the server ignores them anyway).
  document.querySelectorAll("form[method=get]").forEach(function (form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("input, select").forEach(function (field) {
        if (field.name && field.value === "") { field.disabled = true; }
      });
    });
  });

  var table = document.getElementById("live");
  if (!table || !window.EventSource) { return; }
  var body = table.querySelector("tbody");
  var status = document.getElementById("live-status");
  var base = table.dataset.base;
  var names = JSON.parse(table.dataset.services || "{}");
  var MAX_ROWS = 200;

  function cell(row, text, className) {
    var td = document.createElement("td");
    if (className) { td.className = className; }
    td.textContent = text === null || text === undefined ? "" : String(text);
    row.appendChild(td);
    return td;
  }

  function clock(iso) {
    return iso ? iso.replace("T", " ").replace("Z", "").slice(0, 23) : "";
  }

  function addRow(item) {
    var row = document.createElement("tr");
    row.className = "fresh" + (item.outcome !== "ok" ? " failed" : "");
    row.dataset.exchangeId = item.exchange_id;
    var first = cell(row, "", "mono");
    var link = document.createElement("a");
    link.href = base + "/exchanges/" + encodeURIComponent(item.exchange_id);
    link.textContent = clock(item.ts_request_in);
    first.appendChild(link);
    cell(row, item.consumer_id || "—");
    cell(row, names[item.service_key] || item.service_key || "—", "wrap svc");
    cell(row, item.operation || "—", "wrap");
    cell(row, item.http_status, "num");
    var outcome = cell(row, "");
    var badge = document.createElement("span");
    badge.className = "badge " + item.outcome;
    badge.textContent = item.outcome;
    outcome.appendChild(badge);
    cell(row, item.error_type, "wrap");
    cell(row, item.duration_ms === null ? "" : Number(item.duration_ms).toFixed(1), "num");
    var dossier = cell(row, "", "wrap code");
    if (item.ma_ho_so) {
      var trace = document.createElement("a");
      trace.href = base + "/trace?ma_ho_so=" + encodeURIComponent(item.ma_ho_so);
      trace.textContent = item.ma_ho_so;
      dossier.appendChild(trace);
    }
    cell(row, item.ma_yeu_cau, "wrap code");
    body.insertBefore(row, body.firstChild);
    while (body.rows.length > MAX_ROWS) { body.deleteRow(body.rows.length - 1); }
  }

  var source = new EventSource(table.dataset.stream);
  source.addEventListener("open", function () {
    status.textContent = status.dataset.connected;
    status.dataset.state = "open";
  });
  source.addEventListener("exchange", function (event) { addRow(JSON.parse(event.data)); });
  window.addEventListener("pagehide", function () { source.close(); });
})();
