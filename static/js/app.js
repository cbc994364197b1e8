/* Small progressive enhancements; every page works without them. */
(function () {
  "use strict";

  // Type-ahead for long choice lists: typing filters the options of the select it belongs to.
  document.querySelectorAll("input.chooser-filter").forEach(function (input) {
    var select = document.getElementById(input.dataset.filterFor);
    if (!select) return;
    input.addEventListener("input", function () {
      var needle = input.value.trim().toLowerCase();
      Array.prototype.forEach.call(select.options, function (option) {
        var match = !needle || option.text.toLowerCase().indexOf(needle) !== -1 || option.selected;
        option.hidden = !match;
      });
    });
  });

  // Deputies are too many to list: a search box asks the server (at most 20 matches) and a chosen
  // one becomes a selected option of the field's select. Without JavaScript its "Search" button
  // brings the form back with the matches as options.
  document.querySelectorAll("input.deputy-search").forEach(function (input) {
    var select = document.getElementById(input.dataset.searchFor);
    var results = document.getElementById(input.dataset.results);
    if (!select || !results || !window.fetch) return;
    var button = input.parentNode.querySelector(".deputy-search-button");
    if (button) button.hidden = true;
    var timer = null;
    var asked = 0;
    function choose(deputy) {
      var option = Array.prototype.find.call(select.options, function (o) { return o.value === String(deputy.id); });
      if (!option) {
        option = new Option(deputy.label, deputy.id);
        select.add(option);
      }
      if (!select.multiple) {
        Array.prototype.forEach.call(select.options, function (o) { o.selected = false; });
      }
      option.selected = true;
      results.innerHTML = "";
      input.value = "";
    }
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") event.preventDefault();  // typing a name never submits the form
    });
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        var query = input.value.trim();
        var ticket = ++asked;
        if (!query) {
          results.innerHTML = "";
          return;
        }
        fetch(select.dataset.deputySearch + "?q=" + encodeURIComponent(query), {
          credentials: "same-origin",
          headers: { Accept: "application/json" },
        })
          .then(function (response) { return response.ok ? response.json() : { results: [] }; })
          .then(function (data) {
            if (ticket !== asked) return;  // a later search answered first
            results.innerHTML = "";
            data.results.forEach(function (deputy) {
              var item = document.createElement("button");
              item.type = "button";
              item.className = "list-group-item list-group-item-action py-1 small";
              item.textContent = deputy.label;
              item.dataset.deputyResult = deputy.id;
              item.addEventListener("click", function () { choose(deputy); });
              results.appendChild(item);
            });
          });
      }, 200);
    });
  });

  // Confirm irreversible actions (withdraw).
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  // A form that failed comes back open: bring its first error into view.
  var firstError = document.querySelector(".invalid-feedback, [data-form-errors]");
  if (firstError && firstError.scrollIntoView) firstError.scrollIntoView({ block: "center" });
})();
