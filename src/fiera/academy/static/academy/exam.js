// The exam page: answers saved as the learner goes (PUT to the API, with the session's CSRF
// token), and a countdown from the seconds the server says are left. The server's deadline
// is the truth: at zero the form is handed in, and anything that reaches the server late is
// refused there. Without JavaScript the form still works: "Hand in" posts every answer.
(function () {
  "use strict";

  function responseOf(item) {
    var kind = item.getAttribute("data-kind");
    var inputs = item.querySelectorAll("input, select");
    if (kind === "single") {
      var picked = item.querySelector("input:checked");
      return picked ? { choice: parseInt(picked.value, 10) } : null;
    }
    if (kind === "multiple") {
      var chosen = [];
      item.querySelectorAll("input:checked").forEach(function (box) {
        chosen.push(parseInt(box.value, 10));
      });
      return { choices: chosen };
    }
    if (kind === "truefalse") {
      var tf = item.querySelector("input:checked");
      return tf ? { value: tf.value === "true" } : null;
    }
    if (kind === "numeric") {
      var number = inputs[0].value.trim();
      return number ? { value: number } : null;
    }
    if (kind === "short") {
      return { text: inputs[0].value };
    }
    var matches = [];
    item.querySelectorAll("select").forEach(function (select) {
      matches.push(select.value === "" ? null : parseInt(select.value, 10));
    });
    return { matches: matches };
  }

  function wire(form) {
    var status = document.getElementById("exam-status");
    var countdown = document.getElementById("exam-countdown");
    var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
    var saveUrl = form.getAttribute("data-save-url");
    var secondsLeft = parseInt(form.getAttribute("data-seconds-left"), 10);
    var endsAt = Date.now() + secondsLeft * 1000;
    var submitting = false;
    var pending = {};

    function say(text) {
      if (status) { status.textContent = text; }
    }

    function handIn() {
      if (submitting) { return; }
      submitting = true;
      form.submit();
    }

    function save(item) {
      var response = responseOf(item);
      if (response === null || submitting) { return; }
      var id = item.getAttribute("data-question");
      say(form.getAttribute("data-msg-saving"));
      pending[id] = (pending[id] || 0) + 1;
      fetch(saveUrl + id, {
        method: "PUT",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": token },
        body: JSON.stringify({ response: response })
      }).then(function (reply) {
        pending[id] -= 1;
        if (reply.status === 409) {
          say(form.getAttribute("data-msg-timeup"));
          handIn();
        } else if (reply.ok) {
          item.setAttribute("data-saved", "1");
          say(form.getAttribute("data-msg-saved"));
        } else {
          say(form.getAttribute("data-msg-failed"));
        }
      }).catch(function () {
        pending[id] -= 1;
        say(form.getAttribute("data-msg-failed"));
      });
    }

    form.querySelectorAll(".exam-question").forEach(function (item) {
      var timer = null;
      item.addEventListener("change", function () { save(item); });
      item.addEventListener("input", function (event) {
        if (event.target.tagName === "INPUT" && event.target.type === "text") {
          clearTimeout(timer);
          timer = setTimeout(function () { save(item); }, 600);
        }
      });
    });
    form.addEventListener("submit", function () { submitting = true; });

    function show(left) {
      var minutes = Math.floor(left / 60);
      var seconds = left % 60;
      countdown.textContent = minutes + ":" + (seconds < 10 ? "0" : "") + seconds;
      countdown.parentNode.classList.toggle("urgent", left <= 60);
    }

    function tick() {
      var left = Math.max(0, Math.ceil((endsAt - Date.now()) / 1000));
      show(left);
      if (left <= 0) {
        say(form.getAttribute("data-msg-timeup"));
        handIn();
        return;
      }
      setTimeout(tick, 250);
    }
    tick();
  }

  function start() {
    var form = document.getElementById("exam-form");
    if (form) { wire(form); }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
