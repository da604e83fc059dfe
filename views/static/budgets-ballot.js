// The running total of a knapsack ballot, kept up to date as projects are ticked. Without this
// script the "Recompter" button asks the server for the same total; the server checks it anyway.
(function () {
  "use strict";
  var form = document.querySelector("form[data-ballot][data-knapsack='1']");
  if (!form) return;
  var envelope = Number(form.getAttribute("data-envelope"));
  var out = form.querySelector("[data-total]");
  var boxes = form.querySelectorAll("input[type=checkbox][data-cost]");
  // The server's formatter (server/i18n/numbers.ts) makes the same call for the same language,
  // so the total the page came with keeps its form ("2 000", U+202F in French) once rewritten.
  var format = new Intl.NumberFormat(document.documentElement.lang || "fr");
  var lang = (document.documentElement.lang || "fr").slice(0, 2);
  function update() {
    var total = 0;
    boxes.forEach(function (box) {
      if (box.checked) total += Number(box.getAttribute("data-cost"));
    });
    var over = total > envelope;
    out.textContent =
      (lang === "en" ? "Total chosen: " : "Total choisi : ") +
      format.format(total) +
      " € / " +
      format.format(envelope) +
      " €" +
      (over ? (lang === "en" ? " — over the envelope" : " — au-delà de l'enveloppe") : "");
    out.classList.toggle("ballot-total--over", over);
  }
  boxes.forEach(function (box) {
    box.addEventListener("change", update);
  });
  update();
})();
