/* The scan screen: camera, handheld scanner (fast keystrokes ending in Enter) or typing; qualify in
 * a few taps; every scan goes to the device queue first and is shown at once. */
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("scan-config").textContent);
  const $ = (selector) => document.querySelector(selector);
  const el = (tag, attrs, ...children) => {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (key === "class") node.className = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else if (value !== null && value !== undefined && value !== false) node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children.flat()) if (child !== null && child !== undefined) node.append(child);
    return node;
  };
  const STATE_LABEL = {
    draft: "qualifying", queued: "queued", sent: "sent", failed: "needs attention", amend: "change waiting to send",
    undo: "taking back", undone: "taken back",
  };
  const EDIT_MS = config.editMinutes * 60e3; // how long a sent scan can still be corrected or taken back
  // Times on this screen are the event's wall time, whatever zone the phone is set to.
  const clock = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: config.timeZone });
  const time = (value) => clock.format(new Date(value));
  const dayFormat = new Intl.DateTimeFormat("en-CA", { timeZone: config.timeZone });
  const eventDay = () => dayFormat.format(new Date());
  // A time of another day of the event (or an earlier event) says which day.
  const dated = new Intl.DateTimeFormat("en-GB", { weekday: "short", day: "numeric", month: "short", hour: "2-digit",
    minute: "2-digit", hourCycle: "h23", timeZone: config.timeZone });
  const when = (value) => dayFormat.format(new Date(value)) === eventDay() ? time(value) : dated.format(new Date(value));

  const queue = new window.ScanQueue({
    endpoint: config.api.scans, amendEndpoint: config.api.amend, sessionUrl: config.api.session,
    sponsorship: config.sponsorship, questionsAt: config.questionsAt,
    onChange: () => render(),
  });
  let current = null; // the draft being qualified

  // ---- the event's dates ----------------------------------------------------------------------
  // Scanning before the event starts or after it ends is most likely the wrong booth: say so, and ask
  // once (per booth, on this phone). Scans taken meanwhile are kept and sent all the same.
  const confirmKey = `booth-dates-confirmed-${config.sponsorship}`;
  function checkDates() {
    const today = eventDay();
    const outside = today < config.eventStart ? "starts" : today > config.eventEnd ? "ended" : "";
    const banner = $("#dates-banner");
    banner.hidden = !outside || localStorage.getItem(confirmKey) === "yes";
    if (outside) {
      const day = (iso) => new Date(iso + "T12:00:00Z").toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
      $("#dates-text").textContent = outside === "ended"
        ? `${config.event} ended on ${day(config.eventEnd)}. Are you scanning for it?`
        : `${config.event} starts on ${day(config.eventStart)}. Are you scanning for it?`;
    }
  }
  $("#dates-confirm").addEventListener("click", () => { localStorage.setItem(confirmKey, "yes"); checkDates(); input.focus(); });

  // ---- capture ------------------------------------------------------------------------------
  async function capture(fields) {
    if (current) await save(); // the previous scan is queued, not lost
    current = await queue.put(queue.newItem(fields));
    openQualify();
    document.body.dataset.captures = String(Number(document.body.dataset.captures || 0) + 1);
  }

  const input = $("#scan-input");
  // A handheld scanner's code is caught whatever has the focus, its lines kept (scanner-keys.js);
  // what a person types in the box is sent with Enter or the Add button.
  new window.ScannerKeys({ onCode: (code) => capture({ raw_payload: code }) });
  $("#scan-form").addEventListener("submit", (event) => { event.preventDefault(); submitTyped(); });

  function submitTyped() {
    const payload = input.value.replace(/\s+$/, "");
    input.value = "";
    if (payload.trim()) capture({ raw_payload: payload });
  }

  $("#manual-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const form = event.target;
    const fields = {};
    for (const name of ["first_name", "last_name", "email", "company", "title", "badge_id"]) {
      const value = form.elements[name].value.trim();
      if (value) fields[name] = value;
    }
    if (!Object.keys(fields).length) { form.querySelector(".error").textContent = "Type at least a name, email or badge id."; return; }
    form.querySelector(".error").textContent = "";
    form.reset();
    form.closest("details").open = false;
    capture({ ...fields, payload_format: "manual" });
  });

  // ---- camera -------------------------------------------------------------------------------
  let stream = null;
  $("#camera-button").addEventListener("click", async () => {
    const video = $("#camera");
    const note = $("#camera-note");
    if (stream) { stopCamera(); return; }
    const native = "BarcodeDetector" in window;
    if (!native && !config.decoder) {
      note.textContent = "This browser cannot read codes from the camera here. Use a handheld scanner or type the badge id.";
      return;
    }
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
    } catch (error) {
      note.textContent = "No camera access (" + error.name + "). Use a handheld scanner or type the badge id.";
      return;
    }
    video.srcObject = stream; video.hidden = false; await video.play();
    $("#camera-button").textContent = "Stop camera";
    if (native) {
      const detector = new window.BarcodeDetector({ formats: ["qr_code", "code_128", "pdf417", "data_matrix"] });
      const loop = async () => {
        if (!stream) return;
        try {
          const codes = await detector.detect(video);
          if (codes.length) { stopCamera(); capture({ raw_payload: codes[0].rawValue }); return; }
        } catch (error) { /* frame not ready */ }
        requestAnimationFrame(loop);
      };
      loop();
    } else {
      await loadScript(config.decoder);
      const reader = new window.ZXing.BrowserMultiFormatReader();
      reader.decodeFromVideoElementContinuously(video, (result) => {
        if (result && stream) { reader.reset(); stopCamera(); capture({ raw_payload: result.getText() }); }
      });
    }
  });
  function stopCamera() {
    if (stream) stream.getTracks().forEach((track) => track.stop());
    stream = null;
    $("#camera").hidden = true;
    $("#camera-button").textContent = "Camera";
  }
  function loadScript(src) {
    return new Promise((resolve, reject) => {
      if (window.ZXing) return resolve();
      document.head.append(el("script", { src, onload: resolve, onerror: reject }));
    });
  }

  // ---- qualify ------------------------------------------------------------------------------
  function chipGroup(name, options, multiple, label) {
    return el("div", { class: "chips", role: "group", "aria-label": label || name.replace(/_/g, " "), "data-field": name },
      options.map(([value, label]) => el("button", {
        type: "button", class: "chip-toggle", "data-value": value, "aria-pressed": "false",
        onclick: (event) => {
          const button = event.currentTarget;
          const group = button.parentElement;
          const pressed = button.getAttribute("aria-pressed") === "true";
          if (!multiple) group.querySelectorAll("button").forEach((b) => b.setAttribute("aria-pressed", "false"));
          button.setAttribute("aria-pressed", pressed ? "false" : "true");
          qualifyChanged();
        },
      }, label)));
  }

  function pressed(name) {
    return [...document.querySelectorAll(`[data-field="${name}"] [aria-pressed="true"]`)].map((b) => b.dataset.value);
  }

  // The sponsor's own questions (cached with this page, so they are asked offline too), after the
  // conversation type: some are asked only for some conversation types.
  const QUESTIONS = config.questions || [];
  const YES_NO = [["yes", "Yes"], ["no", "No"]];

  function questionInput(question) {
    const field = `q-${question.key}`;
    if (question.kind === "single" || question.kind === "multiple") {
      return chipGroup(field, question.choices.map((c) => [c, c]), question.kind === "multiple", question.label);
    }
    if (question.kind === "yes_no") return chipGroup(field, YES_NO, false, question.label);
    return el("input", {
      type: "text", inputmode: question.kind === "number" ? "decimal" : "text",
      maxlength: question.kind === "number" ? 24 : 200, "data-answer": question.key, "aria-label": question.label,
      class: "answer-input", autocomplete: "off", oninput: () => qualifyChanged(question.kind === "text" ? 1200 : 600),
    });
  }

  function buildQualify() {
    const panel = $("#qualify-fields");
    panel.replaceChildren(
      el("p", { class: "label" }, "Rating"), chipGroup("rating", config.ratings, false),
      el("p", { class: "label" }, "Interests"), chipGroup("interests", config.interests.map((i) => [i, i]), true),
      el("p", { class: "label" }, "Conversation"), chipGroup("conversation_type", config.conversationTypes, false),
      ...QUESTIONS.map((question) => el("div", { class: "question", "data-question": question.key },
        el("p", { class: "label" }, question.label, question.required ? el("span", { class: "required-mark", title: "required" }, " *") : null),
        questionInput(question))),
      el("p", { class: "label" }, "Agreed to be contacted?"), chipGroup("consent", [["yes", "Yes"], ["no", "No"]], false),
    );
  }

  // Only the questions asked of this conversation type are shown (and their answers sent).
  function asked(question, conversationType) {
    return !question.conversation_types.length || question.conversation_types.includes(conversationType);
  }
  function showQuestions() {
    const conversation = pressed("conversation_type")[0] || "";
    for (const question of QUESTIONS) {
      document.querySelector(`[data-question="${question.key}"]`).hidden = !asked(question, conversation);
    }
  }

  // numbers.js; without it (not loaded), the text as typed: the server reads it by the same rule.
  const readNumber = (typed) => (globalThis.boothNumbers ? globalThis.boothNumbers.readNumber(typed) : typed.trim() || null);
  function numberProblems() {
    const conversation = pressed("conversation_type")[0] || "";
    return QUESTIONS.filter((question) => question.kind === "number" && asked(question, conversation))
      .filter((question) => {
        const text = document.querySelector(`[data-answer="${question.key}"]`).value.trim();
        return text && readNumber(text) === null;
      }).map((question) => `${question.label}: a number, e.g. 12 or 3.5`);
  }

  function answers() {
    const conversation = pressed("conversation_type")[0] || "";
    const given = {};
    for (const question of QUESTIONS) {
      if (!asked(question, conversation)) continue;
      let value = null;
      if (question.kind === "number" || question.kind === "text") {
        const text = document.querySelector(`[data-answer="${question.key}"]`).value.trim();
        if (question.kind === "text") value = text || null;
        else if (text) value = readNumber(text);
      } else {
        const picked = pressed(`q-${question.key}`);
        if (question.kind === "multiple") value = picked.length ? picked : null;
        else if (question.kind === "yes_no") value = picked[0] ? picked[0] === "yes" : null;
        else value = picked[0] || null;
      }
      if (value !== null) given[question.key] = value;
    }
    return given;
  }

  function openQualify() {
    buildQualify();
    // A scan opened again (to correct it) shows what it says; a new one starts blank.
    const chosen = { rating: [current.rating], conversation_type: [current.conversation_type],
      interests: current.interests || [], consent: [current.consent === true ? "yes" : current.consent === false ? "no" : ""] };
    for (const [key, answer] of Object.entries(current.answers || {})) {
      const input = document.querySelector(`[data-answer="${key}"]`);
      if (input) input.value = String(answer);
      else chosen[`q-${key}`] = Array.isArray(answer) ? answer : [answer === true ? "yes" : answer === false ? "no" : answer];
    }
    for (const [field, picked] of Object.entries(chosen)) {
      document.querySelectorAll(`[data-field="${field}"] button`).forEach((b) => {
        if (picked.includes(b.dataset.value)) b.setAttribute("aria-pressed", "true");
      });
    }
    $("#note").value = current.notes || "";
    showWho(current);
    $("#qualify-earlier").replaceChildren();
    showGrade(null);
    $("#qualify").hidden = false;
    showQuestions();
    checkRequired();
    $("#note").blur();
    if (current.state === "draft") preview(current);
  }

  // Correct a scan (still on the phone, or sent within the last while), or take it back.
  async function edit(uuid) {
    if (current) await save();
    current = await queue.get(uuid);
    if (current) openQualify();
  }
  async function takeBack(uuid) {
    const item = await queue.get(uuid);
    if (!item || !window.confirm(`Take back the scan of ${describe(item)}? It is set aside, not counted.`)) return;
    if (item.state === "sent") await queue.update(uuid, { state: "undo" });
    else await queue.update(uuid, { state: "undone" }); // never sent: nothing to tell the server
    sendSoon();
  }
  const editable = (item) => (item.state === "sent" || item.state === "queued" || item.state === "failed") &&
    Date.now() - item.created_at < EDIT_MS;

  // Who this is, who already talked to them, and the grade the sponsor's ICP gives them with what the
  // card says so far (a preview by the same engine; the stored score comes from the server's task).
  let previewSeq = 0; // answers to an older preview of the card are dropped
  async function preview(item) {
    const seq = ++previewSeq;
    const stillCurrent = () => seq === previewSeq && current && current.client_uuid === item.client_uuid;
    if (!navigator.onLine) { showGrade({ offline: true }); return; }
    try {
      const token = await queue.csrfToken(false);
      if (!token) return;
      const body = Object.fromEntries(["sponsorship", "raw_payload", "first_name", "last_name", "email", "company", "title", "badge_id"]
        .filter((k) => item[k]).map((k) => [k, item[k]]));
      Object.assign(body, values());
      delete body.consent;
      const response = await fetch(config.api.lookup, {
        method: "POST", credentials: "same-origin", redirect: "manual",
        headers: { "Content-Type": "application/json", "X-CSRFToken": token }, body: JSON.stringify(body),
      });
      if (!stillCurrent()) return;
      if (!response.ok) { showGrade(null); return; }
      const found = await response.json();
      if (!stillCurrent()) return;
      const who = [found.person.name, found.person.title, found.person.company].filter(Boolean).join(" · ");
      const cut = found.payload_format === "truncated";
      // Unknown: a code that names nobody on the organiser's list and says no name itself.
      const unknown = !found.known && !who && !cut;
      const person = cut ? "Cut-off code: kept for a manager to check"
        : who ? [found.person.name, found.person.company].filter(Boolean).join(" · ") : null;
      await queue.update(item.client_uuid, { person, unknown });
      if (!stillCurrent()) return; // the next badge's card is open now: none of this is about it
      showWho({ ...item, person, unknown });
      $("#qualify-earlier").replaceChildren(...earlierLines(found));
      showGrade(unknown ? null : found.grade);
    } catch (error) { if (stillCurrent()) showGrade({ offline: true }); }
  }

  // Who the card is about, and whether the badge is still unknown (said, not left to a code to read).
  function showWho(item) {
    $("#qualify-who").textContent = describe(item);
    $("#qualify-unknown").hidden = !item.unknown;
  }

  function showGrade(grade) {
    const box = $("#qualify-grade");
    box.hidden = !grade;
    if (!grade) return;
    box.dataset.grade = grade.offline ? "" : grade.grade;
    box.replaceChildren(...(grade.offline
      ? [el("span", { class: "muted" }, "Offline: the grade will show when the phone is back online.")]
      : [el("strong", { class: `grade grade-${grade.grade}` }, grade.grade), " · ",
         grade.reasons.length ? grade.reasons.join(", ") : "nothing in the ICP matches yet"]));
  }

  // As the card is filled in, the questions follow the conversation type and the grade follows the answers.
  let previewTimer = null;
  function qualifyChanged(delay) {
    showQuestions();
    checkRequired();
    if (!current || current.state !== "draft") return;
    clearTimeout(previewTimer);
    const item = current;
    previewTimer = setTimeout(() => preview(item), typeof delay === "number" ? delay : 400);
  }

  function values() {
    const consent = pressed("consent")[0];
    return {
      rating: pressed("rating")[0] || "", interests: pressed("interests"),
      conversation_type: pressed("conversation_type")[0] || "", notes: $("#note").value.trim(),
      consent: consent === "yes" ? true : consent === "no" ? false : null,
      answers: answers(), questions_at: config.questionsAt, // the questions this card asked
    };
  }

  function checkRequired() {
    const v = values();
    const missing = (config.required || []).filter((name) => v[name] === "" || v[name] === null || (Array.isArray(v[name]) && !v[name].length))
      .map((name) => name.replace(/_/g, " "));
    const conversation = pressed("conversation_type")[0] || "";
    for (const question of QUESTIONS) {
      if (question.required && asked(question, conversation) && !(question.key in v.answers)) missing.push(question.label);
    }
    const problems = numberProblems();
    $("#save").disabled = missing.length > 0 || problems.length > 0;
    $("#required-note").textContent = [missing.length ? "Required: " + missing.join(", ") : "", ...problems].filter(Boolean).join(". ");
    return missing;
  }

  async function save() {
    if (!current) return;
    const item = current;
    current = null;
    $("#qualify").hidden = true;
    const stored = await queue.get(item.client_uuid);
    const sent = stored && (stored.state === "sent" || stored.state === "amend");
    await queue.update(item.client_uuid, { ...values(), state: sent ? "amend" : "queued" });
    input.focus();
    sendSoon();
  }
  $("#save").addEventListener("click", save);
  $("#note").addEventListener("input", () => qualifyChanged(1200)); // typing: once a pause is longer

  // ---- sending ------------------------------------------------------------------------------
  let timer = null;
  function sendSoon(delay) {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const empty = await queue.flush();
      render();
      if (!empty && !queue.needsLogin) sendSoon((queue.backoff || 5) * 1000);
    }, delay || 0);
  }
  window.addEventListener("online", () => sendSoon());
  document.addEventListener("visibilitychange", () => { if (document.visibilityState === "visible") sendSoon(); });
  setInterval(() => sendSoon(), 20000);

  // ---- the list -----------------------------------------------------------------------------
  function describe(item) {
    if (item.person) return item.person;
    const typed = [item.first_name, item.last_name].filter(Boolean).join(" ");
    if (typed) return [typed, item.company].filter(Boolean).join(" · ");
    return payloadLabel(item.raw_payload || "") || (item.badge_id || item.email || "").slice(0, 48);
  }

  // A short label for a raw code until the server says who it is: a card's name, else its first line.
  function payloadLabel(payload) {
    const name = payload.match(/^(?:[\w-]+\.)?FN(?:;[^:\n]*)?:(.+)$/im) || payload.match(/^MECARD:(?:.*;)?N:([^;]+)/i);
    const label = name ? name[1].replace(/\\,/g, ",").trim() : payload.split("\n")[0];
    return label.length > 48 ? label.slice(0, 47) + "…" : label;
  }

  function earlierLines(result) {
    return (result && result.earlier || []).map((e) =>
      el("li", {}, `Already talked to by ${e.by || e.source || "someone"}` + (e.at ? ` at ${when(e.at)}` : " (no time in the file)"),
        e.rating ? el("span", { class: `chip rating-${e.rating}` }, e.rating) : null,
        e.notes ? el("span", { class: "muted" }, ` “${e.notes.slice(0, 120)}”`) : null));
  }

  // A change while the list is being drawn draws it again afterwards: drawn from what the queue held
  // before the change, it would put back what the change replaced (a name the lookup had just given).
  let rendering = false, renderAgain = false;
  async function render() {
    if (rendering) { renderAgain = true; return; }
    rendering = true;
    try {
      do {
        renderAgain = false;
        await draw();
      } while (renderAgain);
    } finally { rendering = false; }
  }

  async function draw() {
    const items = await queue.all();
    const unsent = items.filter((item) => item.state !== "sent" && item.state !== "undone");
    $("#unsent-count").textContent = String(unsent.length);
    $("#unsent").dataset.count = String(unsent.length);
    $("#net-status").textContent = navigator.onLine ? "online" : "offline";
    $("#login-banner").hidden = !queue.needsLogin;
    $("#list").replaceChildren(...items.slice(0, 50).map((item) =>
      el("li", { class: `scan-row state-${item.state}`, "data-uuid": item.client_uuid, "data-state": item.state },
        el("div", {}, el("strong", {}, describe(item)), " ",
          el("span", { class: `badge state-${item.state}` }, STATE_LABEL[item.state] || item.state),
          item.unknown ? el("span", { class: "badge unknown", title: "Nobody on the organiser's list has this code yet: kept and matched later" }, "unknown badge") : null),
        el("div", { class: "muted" }, when(item.created_at),
          item.rating ? ` · ${item.rating}` : "", item.conversation_type ? ` · ${item.conversation_type.replace(/_/g, " ")}` : "",
          item.notes ? ` · ${item.notes.slice(0, 60)}` : ""),
        item.error ? el("div", { class: "error" }, Object.entries(item.error).map(([k, v]) => `${k}: ${(v[0] && v[0].message) || v}`).join("; ")) : null,
        editable(item) ? el("div", { class: "row-actions" },
          el("button", { type: "button", class: "link", "data-edit": item.client_uuid, onclick: () => edit(item.client_uuid) }, "Edit"),
          el("button", { type: "button", class: "link danger", "data-undo": item.client_uuid, onclick: () => takeBack(item.client_uuid) }, "Take back")) : null)));
    if (current) {
      const fresh = items.find((item) => item.client_uuid === current.client_uuid);
      if (fresh) showWho(fresh);
    }
  }

  // ---- start --------------------------------------------------------------------------------
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(config.serviceWorker, { scope: "/" }).catch(() => {});
    // Keep this page itself for offline opening, even from the first visit.
    navigator.serviceWorker.ready
      .then(() => caches.open(config.offlineCache))
      .then((cache) => cache.add(location.pathname))
      .then(() => { document.body.dataset.offlineReady = "true"; })
      .catch(() => {});
  }
  window.addEventListener("online", render);
  window.addEventListener("offline", render);
  queue.ready.then(() => { render(); sendSoon(); });
  checkDates();
  input.focus();
  window.boothScanner = { queue, capture, save, sendSoon };
})();
