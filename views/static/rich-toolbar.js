// A small formatting toolbar above the textareas marked data-toolbar: bold, italic, list, link.
// It only writes the few tags the description accepts; without JavaScript the textarea is all
// there is, and blank lines still make paragraphs.
(function () {
  var labels =
    document.documentElement.lang === "en"
      ? {
          bold: "Bold",
          italic: "Italic",
          list: "List",
          link: "Link",
          url: "Address of the link (https://…)",
          bar: "Formatting",
        }
      : {
          bold: "Gras",
          italic: "Italique",
          list: "Liste",
          link: "Lien",
          url: "Adresse du lien (https://…)",
          bar: "Mise en forme",
        };

  function wrap(area, before, after) {
    var start = area.selectionStart;
    var end = area.selectionEnd;
    var text = area.value;
    var chosen = text.slice(start, end);
    area.value = text.slice(0, start) + before + chosen + after + text.slice(end);
    area.focus();
    area.setSelectionRange(start + before.length, start + before.length + chosen.length);
  }

  function list(area) {
    var start = area.selectionStart;
    var end = area.selectionEnd;
    var text = area.value;
    var lines = (text.slice(start, end) || "").split("\n").filter(function (l) {
      return l.trim() !== "";
    });
    if (lines.length === 0) lines = [""];
    var block =
      "\n\n<ul>\n" +
      lines
        .map(function (l) {
          return "<li>" + l.replace(/^\s*[-*•]\s*/, "") + "</li>";
        })
        .join("\n") +
      "\n</ul>\n\n";
    area.value = text.slice(0, start) + block + text.slice(end);
    area.focus();
  }

  function link(area) {
    var url = window.prompt(labels.url, "https://");
    if (!url || !/^(https?:\/\/|mailto:)/.test(url)) return;
    wrap(area, '<a href="' + url.replace(/"/g, "%22") + '">', "</a>");
  }

  document.querySelectorAll("textarea[data-toolbar]").forEach(function (area) {
    var bar = document.createElement("div");
    bar.className = "toolbar";
    bar.setAttribute("role", "toolbar");
    bar.setAttribute("aria-label", labels.bar);
    bar.setAttribute("aria-controls", area.id);
    [
      [
        "bold",
        function () {
          wrap(area, "<strong>", "</strong>");
        },
      ],
      [
        "italic",
        function () {
          wrap(area, "<em>", "</em>");
        },
      ],
      [
        "list",
        function () {
          list(area);
        },
      ],
      [
        "link",
        function () {
          link(area);
        },
      ],
    ].forEach(function (item) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button button--quiet toolbar__" + item[0];
      button.textContent = labels[item[0]];
      button.addEventListener("click", item[1]);
      bar.appendChild(button);
    });
    area.parentNode.insertBefore(bar, area);
  });
})();
