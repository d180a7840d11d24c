// factormodel web page: a few lines of vanilla JS; the page also works without it.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("analyse");
  if (!form) { return; }
  // A new model or dataset changes the outcomes and wijken offered: reload the form.
  form.querySelectorAll("[data-refresh]").forEach(function (el) {
    el.addEventListener("change", function () {
      // with an uploaded file kept in the form, a new model keeps that file: post the form
      if (el.name === "model" && form.elements.dataset.value === "upload") {
        var action = document.createElement("input");
        action.type = "hidden"; action.name = "action"; action.value = "refresh";
        form.appendChild(action);
        form.submit();  // no validation: nothing is computed
        return;
      }
      var q = new URLSearchParams();
      q.set("lang", form.elements.lang.value);
      q.set("model", form.elements.model.value);
      q.set("dataset", form.elements.dataset.value);
      window.location.assign("/?" + q.toString());
    });
  });
  // An uploaded table replaces the chosen dataset.
  var file = document.getElementById("file");
  file.addEventListener("change", function () {
    form.elements.dataset.disabled = file.files.length > 0;
  });
  form.addEventListener("submit", function (event) {
    var busy = document.getElementById("busy");
    busy.hidden = false;
    // the report comes back as a download: the page itself stays, so stop the spinner
    if (event.submitter && event.submitter.value === "report") {
      setTimeout(function () { busy.hidden = true; }, 8000);
    }
  });
});
