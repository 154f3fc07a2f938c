/* The stall's live page: follow the event stream, show and speak each payment.
   A file of its own (the CSP allows no inline script); the page works without it. */
(function () {
  "use strict";
  var root = document.getElementById("live");
  if (!root || !window.EventSource) { return; }
  var vi = (root.dataset.lang || "vi") === "vi";
  var text = vi ? {
    live: "Đang nghe tiền vào", lost: "Mất kết nối, đang nối lại…",
    tap: "Chạm \u201cThử loa\u201d một lần để bật tiếng."
  } : {
    live: "Listening for payments", lost: "Connection lost, reconnecting…",
    tap: "Tap \u201cTest the speaker\u201d once to turn the sound on."
  };
  var lastId = parseInt(root.dataset.lastEventId || "0", 10);
  var statusEl = document.getElementById("live-status");
  var saidEl = document.getElementById("live-said");
  var totalEl = document.getElementById("live-total");
  var countEl = document.getElementById("live-count");
  var list = document.getElementById("live-list");
  var template = document.getElementById("live-item");
  var money = new Intl.NumberFormat(vi ? "vi-VN" : "en-US");
  var clock = new Intl.DateTimeFormat(vi ? "vi-VN" : "en-GB", {
    timeZone: "Asia/Ho_Chi_Minh", hour: "2-digit", minute: "2-digit", second: "2-digit"
  });
  var soundOn = false;
  var source = null;
  var retry = null;

  function vnd(amount) { return money.format(amount) + (vi ? "\u00a0đ" : "\u00a0VND"); }

  function vietnameseVoice() {
    if (!window.speechSynthesis) { return null; }
    var voices = window.speechSynthesis.getVoices();
    for (var i = 0; i < voices.length; i++) {
      if (voices[i].lang && voices[i].lang.toLowerCase().indexOf("vi") === 0) { return voices[i]; }
    }
    return null;
  }

  function speak(sentence, amount) {
    saidEl.textContent = sentence;
    root.dataset.lastSpoken = sentence;
    var voice = vietnameseVoice();
    if (voice) {
      var utterance = new SpeechSynthesisUtterance(sentence);
      utterance.voice = voice;
      utterance.lang = voice.lang;
      window.speechSynthesis.speak(utterance);
      return;
    }
    var audio = new Audio(root.dataset.wav + "?amount=" + encodeURIComponent(amount));
    var played = audio.play();
    if (played && played.catch) {
      played.catch(function () { if (!soundOn) { statusEl.textContent = text.tap; } });
    }
  }

  function show(event) {
    var item = template.content.firstElementChild.cloneNode(true);
    item.querySelector(".live-time").textContent = clock.format(new Date(event.occurred_at));
    item.querySelector(".live-amount").textContent = vnd(event.amount);
    item.querySelector(".live-content").textContent = event.content || "";
    list.insertBefore(item, list.firstChild);
    var empty = document.getElementById("live-empty");
    if (empty) { empty.remove(); }
    var total = parseInt(totalEl.dataset.total, 10) + event.amount;
    var count = parseInt(countEl.dataset.count, 10) + 1;
    totalEl.dataset.total = total; totalEl.textContent = vnd(total);
    countEl.dataset.count = count; countEl.textContent = money.format(count);
  }

  function connect() {
    if (source) { source.close(); }
    // The browser resends Last-Event-ID on its own reconnects; a new EventSource
    // (after an error it gave up on) carries it in the query instead.
    source = new EventSource(root.dataset.stream + "?last_event_id=" + lastId);
    source.addEventListener("open", function () { statusEl.textContent = text.live; });
    source.addEventListener("payment", function (message) {
      var event = JSON.parse(message.data);
      if (event.id <= lastId) { return; }  // never show or say one twice
      lastId = event.id;
      root.dataset.lastEventId = String(lastId);
      show(event);
      speak(event.announcement, event.amount);
    });
    source.addEventListener("error", function () {
      statusEl.textContent = text.lost;
      if (source.readyState === EventSource.CLOSED && !retry) {
        retry = setTimeout(function () { retry = null; connect(); }, 3000);
      }
    });
  }

  var wakeLock = null;
  function keepAwake() {
    if (!navigator.wakeLock || document.visibilityState !== "visible") { return; }
    navigator.wakeLock.request("screen").then(function (lock) { wakeLock = lock; })
      .catch(function () { wakeLock = null; });
  }
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && !wakeLock) { keepAwake(); }
  });

  var test = document.getElementById("live-test");
  test.setAttribute("role", "button");
  test.addEventListener("click", function (click) {
    click.preventDefault();
    soundOn = true;
    statusEl.textContent = text.live;
    speak(vi ? "Đã nhận mười nghìn đồng" : "Đã nhận mười nghìn đồng", 10000);
    keepAwake();
  });

  if (window.speechSynthesis) { window.speechSynthesis.getVoices(); }
  keepAwake();
  connect();
})();
