// A type-to-filter box for long selects grouped in <optgroup>s (the campaign's category:
// some 270 categories in their departments).
//
// Without scripts the select works as it is, labelled by department; the box only exists
// when this file runs, so nobody sees a box that does nothing. Typing keeps the options
// whose name, or whose department's name, contains the text; a single match is chosen.
// Enter in the box does not submit the surrounding form: it moves to the select.
// Its texts come from the message catalog (base.html loads it first: gettext, ngettext).
(function () {
  "use strict";

  // The box's label and placeholder for each kind of choice (data-choice-filter): whole
  // sentences, so that each language words them as it must.
  var TEXTS = {
    category: {
      label: gettext("Find a category by name or department"),
      placeholder: gettext("Type to find a category (e.g. coffee)"),
    },
  };
  var ANY = {
    label: gettext("Find a choice by name or group"),
    placeholder: gettext("Type to find a choice"),
  };

  function words(text) {
    return text.toLowerCase().replace(/\s+/g, " ").trim();
  }

  function attach(select) {
    var texts = TEXTS[select.getAttribute("data-choice-filter")] || ANY;
    var options = Array.prototype.filter.call(select.options, function (o) { return o.value; });
    var groups = Array.prototype.slice.call(select.querySelectorAll("optgroup"));

    var box = document.createElement("div");
    box.className = "choice-filter mb-1";
    var label = document.createElement("label");
    label.className = "visually-hidden";
    label.htmlFor = select.id + "-filter";
    label.textContent = texts.label;
    var input = document.createElement("input");
    input.type = "search";
    input.id = select.id + "-filter";
    input.className = "form-control form-control-sm";
    input.placeholder = texts.placeholder;
    input.autocomplete = "off";
    input.setAttribute("aria-controls", select.id);
    var status = document.createElement("div");
    status.className = "form-text choice-filter-status";
    status.setAttribute("aria-live", "polite");
    box.appendChild(label);
    box.appendChild(input);
    box.appendChild(status);
    select.parentNode.insertBefore(box, select);

    function apply() {
      var query = words(input.value);
      var shown = [];
      groups.forEach(function (group) {
        var groupMatches = query !== "" && words(group.label).indexOf(query) !== -1;
        var any = false;
        Array.prototype.forEach.call(group.querySelectorAll("option"), function (option) {
          var match = query === "" || groupMatches || words(option.text).indexOf(query) !== -1;
          option.hidden = !match;
          if (match) { any = true; shown.push(option); }
        });
        group.hidden = !any;
      });
      if (query === "") {
        status.textContent = "";
        return;
      }
      status.textContent = interpolate(
        gettext("%(shown)s of %(all)s match"),
        { shown: shown.length, all: options.length },
        true
      );
      if (shown.length === 1 && select.value !== shown[0].value) {
        select.value = shown[0].value;
        select.dispatchEvent(new Event("change", { bubbles: true }));
      }
    }

    input.addEventListener("input", apply);
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
        select.focus();
      }
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("select[data-choice-filter]"), attach);
})();
