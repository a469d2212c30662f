/* The device's scan queue: every scan is written to IndexedDB first and leaves the queue only when
 * the server has confirmed its client_uuid. Sending retries by itself (online, visibility, a timer,
 * the next visit); an expired session holds the queue until a new login. */
(function () {
  "use strict";
  const DB_NAME = "booth-tracker";
  const STORE = "scans";
  const BATCH = 100;
  const KEEP_SENT_DAYS = 7;

  function openDb() {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = () => {
        const store = request.result.createObjectStore(STORE, { keyPath: "client_uuid" });
        store.createIndex("state", "state");
        store.createIndex("sponsorship", "sponsorship");
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  function tx(db, mode, work) {
    return new Promise((resolve, reject) => {
      const transaction = db.transaction(STORE, mode);
      const store = transaction.objectStore(STORE);
      let result;
      Promise.resolve(work(store)).then((value) => { result = value; });
      transaction.oncomplete = () => resolve(result);
      transaction.onerror = () => reject(transaction.error);
      transaction.onabort = () => reject(transaction.error);
    });
  }

  function req(request) {
    return new Promise((resolve, reject) => {
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  function uuid4() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  function readCookie(name) {
    const match = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return match ? decodeURIComponent(match[1]) : null;
  }

  // Fields the server stores; local bookkeeping (state, result, error) is never sent.
  const SENT_FIELDS = ["client_uuid", "sponsorship", "raw_payload", "device_scanned_at", "device_id", "rating",
    "interests", "conversation_type", "notes", "consent", "answers", "first_name", "last_name", "email", "company",
    "title", "badge_id", "questions_at"];

  // What a correction of a sent scan sends (the server keeps what it was).
  const AMEND_FIELDS = ["rating", "interests", "conversation_type", "notes", "consent", "answers", "questions_at"];

  class ScanQueue {
    constructor({ endpoint, amendEndpoint, sessionUrl, sponsorship, questionsAt, onChange }) {
      this.endpoint = endpoint;
      this.questionsAt = questionsAt || null; // when this screen got the booth's questions (server time)
      this.amendEndpoint = amendEndpoint;
      this.sessionUrl = sessionUrl;
      this.sponsorship = sponsorship;
      this.onChange = onChange || (() => {});
      this.needsLogin = false;
      this.sending = false;
      this.backoff = 0;
      this.deviceId = localStorage.getItem("booth-device-id") || uuid4();
      localStorage.setItem("booth-device-id", this.deviceId);
      this.ready = openDb().then((db) => { this.db = db; return this.promoteDrafts(); });
      if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => {});
    }

    newItem(fields) {
      return {
        client_uuid: uuid4(), sponsorship: this.sponsorship, device_id: this.deviceId,
        device_scanned_at: new Date().toISOString(), rating: "", interests: [], conversation_type: "",
        notes: "", consent: null, answers: {}, raw_payload: "", questions_at: this.questionsAt, state: "draft",
        created_at: Date.now(), ...fields,
      };
    }

    async put(item) {
      await this.ready;
      await tx(this.db, "readwrite", (store) => req(store.put(item)));
      this.onChange();
      return item;
    }

    async get(clientUuid) {
      await this.ready;
      return tx(this.db, "readonly", (store) => req(store.get(clientUuid)));
    }

    async update(clientUuid, patch) {
      await this.ready;
      const updated = await tx(this.db, "readwrite", async (store) => {
        const item = await req(store.get(clientUuid));
        if (!item) return null;
        Object.assign(item, patch);
        await req(store.put(item));
        return item;
      });
      this.onChange();
      return updated;
    }

    async all() {
      await this.ready;
      const items = await tx(this.db, "readonly", (store) => req(store.index("sponsorship").getAll(this.sponsorship)));
      return items.sort((a, b) => b.created_at - a.created_at);
    }

    async unsent() {
      return (await this.all()).filter((item) => item.state !== "sent");
    }

    // A draft left behind (page closed while qualifying) is queued, never lost.
    async promoteDrafts() {
      const drafts = await tx(this.db, "readonly", (store) => req(store.index("state").getAll("draft")));
      for (const draft of drafts) await tx(this.db, "readwrite", (store) => req(store.put({ ...draft, state: "queued" })));
      const cutoff = Date.now() - KEEP_SENT_DAYS * 86400e3;
      const sent = await tx(this.db, "readonly", (store) => req(store.index("state").getAll("sent")));
      for (const old of sent.filter((item) => item.created_at < cutoff)) {
        await tx(this.db, "readwrite", (store) => req(store.delete(old.client_uuid)));
      }
    }

    async csrfToken(refresh) {
      let token = refresh ? null : readCookie("csrftoken");
      if (!token) {
        const response = await fetch(this.sessionUrl, { credentials: "same-origin", redirect: "manual" });
        if (response.status === 401 || response.type === "opaqueredirect") { this.needsLogin = true; return null; }
        if (!response.ok) throw new Error(`session ${response.status}`);
        token = (await response.json()).csrf_token;
      }
      return token;
    }

    // Corrections ("amend") and take-backs ("undo") of scans already sent, one request each.
    async flushChanges() {
      const changes = (await this.all()).filter((item) => item.state === "amend" || item.state === "undo");
      for (const item of changes) {
        const token = await this.csrfToken(false);
        if (!token) return false;
        const body = { sponsorship: item.sponsorship, client_uuid: item.client_uuid };
        if (item.state === "undo") body.undo = true;
        else for (const key of AMEND_FIELDS) body[key] = item[key];
        const response = await fetch(this.amendEndpoint, {
          method: "POST", credentials: "same-origin", redirect: "manual",
          headers: { "Content-Type": "application/json", "X-CSRFToken": token, Accept: "application/json" },
          body: JSON.stringify(body),
        });
        if (response.status === 401 || response.type === "opaqueredirect") { this.needsLogin = true; return false; }
        const answer = await response.json().catch(() => ({}));
        if (response.ok) {
          await this.update(item.client_uuid, { state: item.state === "undo" ? "undone" : "sent", error: null });
        } else if (response.status >= 400 && response.status < 500) {  // refused: say why, keep the scan as sent
          await this.update(item.client_uuid, { state: "sent", error: { change: [{ message: answer.message || `refused (${response.status})` }] } });
        } else {
          throw new Error(`server answered ${response.status}`);
        }
      }
      return true;
    }

    async post(items, refreshToken) {
      const token = await this.csrfToken(refreshToken);
      if (!token) return null;
      return fetch(this.endpoint, {
        method: "POST", credentials: "same-origin", redirect: "manual",
        headers: { "Content-Type": "application/json", "X-CSRFToken": token, Accept: "application/json" },
        body: JSON.stringify({ scans: items.map((item) => Object.fromEntries(SENT_FIELDS.filter((k) => k in item).map((k) => [k, item[k]]))) }),
      });
    }

    // Send what is queued; true when the queue is empty afterwards.
    async flush() {
      await this.ready;
      if (this.sending) return false;
      this.sending = true;
      try {
        for (;;) {
          const queued = (await this.all()).filter((item) => item.state === "queued").reverse().slice(0, BATCH);
          if (!queued.length) {
            if (!(await this.flushChanges())) { this.onChange(); return false; }
            this.backoff = 0;
            return true;
          }
          let response = await this.post(queued, false);
          if (response && response.status === 403) {
            const body = await response.json().catch(() => ({}));
            if (body.error === "csrf") response = await this.post(queued, true);
          }
          if (!response) { this.onChange(); return false; }
          if (response.status === 401 || response.type === "opaqueredirect") {
            this.needsLogin = true; this.onChange(); return false;
          }
          const body = response.ok ? await response.json().catch(() => null) : null;
          if (!body || !Array.isArray(body.results)) throw new Error(`server answered ${response.status}`);
          this.needsLogin = false;
          const byUuid = new Map(body.results.filter((r) => r && r.client_uuid).map((r) => [r.client_uuid, r]));
          for (const item of queued) {
            const result = byUuid.get(item.client_uuid);
            if (!result) continue; // not confirmed: stays queued
            if (result.status === "created" || result.status === "duplicate") {
              await this.update(item.client_uuid, { state: "sent", result, error: null });
            } else {
              await this.update(item.client_uuid, { state: "failed", error: result.errors || {} });
            }
          }
        }
      } catch (error) {
        this.backoff = Math.min(60, (this.backoff || 2) * 2);
        this.onChange();
        return false;
      } finally {
        this.sending = false;
      }
    }
  }

  window.ScanQueue = ScanQueue;
})();
