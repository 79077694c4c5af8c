/* Corporate parenting guide: small enhancements on top of pages that work without JavaScript.
   - the question form posts to /api/chat and the new answer is inserted in place;
   - [n] markers open their source and move focus to it;
   - "Copy answer with sources" and "Print" buttons.
   Everything inserted comes from the server's own templates (already escaped), parsed with
   DOMParser, which never runs scripts. */
(function () {
  "use strict";

  var status = document.getElementById("status");
  var form = document.getElementById("ask-form");
  var thread = document.getElementById("thread");
  var errorBox = document.getElementById("ask-error");

  function announce(text) {
    if (!status) { return; }
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text; }, 50);
  }

  function reveal(root) {
    root.querySelectorAll("[data-enhanced]").forEach(function (el) { el.hidden = false; });
  }

  function openSource(id) {
    var details = document.getElementById(id);
    if (!details) { return false; }
    details.open = true;
    var summary = details.querySelector("summary");
    summary.focus();
    details.scrollIntoView({ block: "nearest" });
    return true;
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.className = "visually-hidden";
      document.body.appendChild(area);
      area.select();
      var ok = document.execCommand("copy");
      document.body.removeChild(area);
      if (ok) { resolve(); } else { reject(new Error("copy failed")); }
    });
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    var cite = target.closest("a.cite");
    if (cite && openSource(cite.getAttribute("data-source"))) {
      event.preventDefault();
      return;
    }
    var copy = target.closest("[data-copy]");
    if (copy) {
      copyText(copy.getAttribute("data-copy")).then(
        function () { announce("The answer and its sources were copied."); },
        function () { announce("Copying did not work in this browser; select the text instead."); });
      return;
    }
    if (target.closest("[data-print]")) { window.print(); }
  });

  // Sources are printed open, then put back as they were.
  var closedForPrint = [];
  window.addEventListener("beforeprint", function () {
    closedForPrint = Array.prototype.filter.call(document.querySelectorAll("details"), function (d) { return !d.open; });
    closedForPrint.forEach(function (d) { d.open = true; });
  });
  window.addEventListener("afterprint", function () {
    closedForPrint.forEach(function (d) { d.open = false; });
    closedForPrint = [];
  });

  reveal(document);

  if (!form || !thread || !window.fetch || !window.DOMParser) { return; }

  var message = document.getElementById("message");
  var button = document.getElementById("ask-button");
  var label = document.getElementById("message-label");

  function showError(text) {
    errorBox.textContent = "";
    var strong = document.createElement("strong");
    strong.textContent = "There is a problem: ";
    errorBox.appendChild(strong);
    errorBox.appendChild(document.createTextNode(text));
    errorBox.hidden = false;
    errorBox.focus();
    announce("");
  }

  function filters() {
    var chosen = {};
    ["jurisdiction", "doc_id", "audience"].forEach(function (name) {
      var field = form.elements[name];
      if (field && field.value) { chosen[name] = field.value; }
    });
    return chosen;
  }

  function insertTurn(html) {
    var parsed = new DOMParser().parseFromString(html, "text/html");
    var article = parsed.querySelector("article.turn");
    if (!article) { throw new Error("The answer could not be shown; reload the page."); }
    var turn = document.importNode(article, true);
    thread.appendChild(turn);
    reveal(turn);
    var actions = document.getElementById("page-actions");
    if (actions) { actions.hidden = false; }
    return turn;
  }

  message.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit ? form.requestSubmit() : form.submit();
    }
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var question = message.value;
    errorBox.hidden = true;
    button.disabled = true;
    announce("Searching the library…");
    var reached = false;  // whether the server answered at all
    fetch("/api/chat", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify({ message: question, filters: filters() })
    }).then(function (response) {
      reached = true;
      return response.json().then(function (body) {
        if (!response.ok) {
          throw new Error(body.error + (body.hint ? " " + body.hint : ""));
        }
        return fetch("/chat/turns/" + encodeURIComponent(body.turn), { credentials: "same-origin" })
          .then(function (r) { return r.text(); })
          .then(function (html) { return { answer: body, html: html }; });
      });
    }).then(function (result) {
      var turn = insertTurn(result.html);
      message.value = "";
      if (label) { label.textContent = "Ask a follow-up question"; }
      var heading = turn.querySelector("h2");
      heading.focus();
      var n = result.answer.citations.length;
      announce(result.answer.abstained
        ? "The library does not seem to answer this question. Passages that may be related are listed."
        : "Answer ready, with " + n + " source" + (n === 1 ? "" : "s") + ".");
    }).catch(function (error) {
      if (!reached) {  // the request never arrived: fall back to the plain form post
        form.submit();
        return;
      }
      showError(error.message);
    }).then(function () {
      button.disabled = false;
    });
  });
})();
