// The desk's bank picker, improved: a search box that narrows the <select> of banks by
// short name, full name, former name or BIN, ignoring case and Vietnamese diacritics.
// Without JavaScript the plain <select> works as it is (type the first letters).
(function () {
  "use strict";
  function fold(text) {
    return text.replace(/đ/g, "d").replace(/Đ/g, "D").normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  document.querySelectorAll("select[data-bank-picker]").forEach(function (select) {
    var label = document.createElement("label");
    var input = document.createElement("input");
    input.type = "search";
    input.id = select.id + "-search";
    input.autocomplete = "off";
    label.htmlFor = input.id;
    label.textContent = select.getAttribute("data-search-label");
    label.className = "bank-search-label";
    var options = Array.prototype.slice.call(select.options).map(function (option) {
      return { option: option, text: fold(option.textContent) };
    });
    input.addEventListener("input", function () {
      var wanted = fold(input.value.trim());
      var chosen = select.selectedOptions[0];
      var matches = options.filter(function (item) {
        return item.option.value && wanted && item.text.indexOf(wanted) !== -1;
      });
      options.forEach(function (item) {
        // A search that finds nothing leaves the chosen bank as it is: hidden and
        // disabled, it would still show in the closed list but not be sent.
        var show = !item.option.value || !wanted || matches.indexOf(item) !== -1 ||
          (matches.length === 0 && item.option === chosen);
        item.option.hidden = !show;
        item.option.disabled = !show;
      });
      if (matches.length && (!select.value || chosen.disabled)) {
        matches[0].option.selected = true;
      }
    });
    select.parentNode.insertBefore(label, select);
    select.parentNode.insertBefore(input, select);
  });
})();
