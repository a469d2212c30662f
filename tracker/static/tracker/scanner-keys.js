/* Handheld scanners in keyboard mode: a code arrives as keystrokes a few milliseconds apart, ending in
 * Enter, whatever has the focus (the note field, a chip just tapped, nothing). A vCard or MECARD code
 * arrives as one such burst per line. This gathers the bursts of one code, line breaks kept, and hands
 * the code over; keys a person types go where they were typed.
 *
 * Written here rather than taken from npm: onscan.js (the usual library) ends a code at its first
 * Enter, so a vCard becomes a dozen codes; its default decoder drops ":", ";", "@" and "."; and it
 * either lets a burst type into the focused field or blocks every key, a person's included.
 *
 * How a burst is told from typing: a key within GAP ms of the one before continues a burst. The first
 * key of a burst cannot be known as such, so it is let through, and taken back from the field it went
 * into once the second key arrives in time; every later key of the burst is kept from the page (its
 * keydown and keyup), so an Enter never submits a form or toggles a focused chip. A burst that ends
 * without Enter and is too short to be a code was a fast typist: its characters are put back.
 */
(function () {
  "use strict";

  const GAP = 50; // ms between a scanner's keys (seen: 2-30 ms); people rarely type two keys this fast
  const LINE_GAP = 150; // ms a scanner takes between the lines of a multi-line code
  const VCARD_GAP = 1500; // a vCard is awaited until its END:VCARD, longer if the scanner pauses
  // Timing is judged on the keys' own time stamps; this is how long to wait, by the clock, for a key
  // that may still come before a code is handed over (a page busy elsewhere must not split a code).
  const SETTLE = 300;
  const MIN_CODE = 3; // shortest code ended by Enter or Tab
  const MIN_BARE_CODE = 8; // shortest code from a scanner set up without a suffix key

  const isEditable = (node) =>
    !!node && ((node.tagName === "INPUT" && /^(text|search|email|tel|url|number|password)$/.test(node.type)) ||
      node.tagName === "TEXTAREA") && !node.readOnly && !node.disabled;

  // Where the caret is, for the fields that have one (an email or number field has none).
  function selection(field) {
    try { return [field.selectionStart, field.selectionEnd]; } catch (error) { return [null, null]; }
  }

  function giveBack(field, text) {
    const [start, end] = selection(field);
    if (start === null) field.value += text;
    else field.setRangeText(text, start, end, "end");
    field.dispatchEvent(new Event("input", { bubbles: true }));
  }

  const isVcardOpen = (text) => /(^|\n)(\][A-Za-z]\d)?BEGIN:VCARD/i.test(text) && !/(^|\n)END:VCARD\s*$/i.test(text);

  class ScannerKeys {
    constructor({ onCode, target = window }) {
      this.onCode = onCode;
      this.reset();
      this.swallowed = new Set(); // keys whose keyup must not reach the page either
      this.tailUntil = -Infinity; // a second Enter right after a code (CR and LF) is the scanner's too
      target.addEventListener("keydown", (event) => this.keydown(event), true);
      target.addEventListener("keyup", (event) => this.keyup(event), true);
    }

    reset() {
      clearTimeout(this.timer);
      this.timer = null;
      this.lines = []; // finished lines of the code being gathered
      this.line = ""; // the line being typed
      this.last = -Infinity; // when the last key of the burst came (event time, ms)
      this.confirmed = false; // the burst is a scanner's (a second key came in time)
      this.field = null; // the editable the first key went into, and how it was before
      this.before = null;
    }

    get active() { return this.line !== "" || this.lines.length > 0; }

    keydown(event) {
      if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
      const key = event.key;
      const suffix = key === "Enter" || key === "Tab";
      if (key.length !== 1 && !suffix) return;
      const now = event.timeStamp;
      const pending = this.lines.length > 0 && this.line === ""; // a line ended, the next may follow
      const inTime = now - this.last <= (pending ? this.lineGap() : GAP);

      if (!this.active || !inTime) {
        if (this.active) this.finish(); // the burst before this key is over
        if (suffix && now <= this.tailUntil) this.swallow(event);
        if (suffix) return; // an Enter on its own is a person's
        this.start(event);
        return;
      }
      if (!this.confirmed) {
        if (suffix) { this.reset(); return; } // one key then Enter: a person submitting what they typed
        this.confirm();
      }
      this.swallow(event);
      this.last = now;
      if (suffix) {
        this.lines.push(this.line);
        this.line = "";
        if (/^END:VCARD$/i.test(this.lines[this.lines.length - 1].trim())) this.finish(true);
        else this.wait(Math.max(this.lineGap(), SETTLE));
        return;
      }
      this.line += key;
      this.wait(SETTLE);
    }

    keyup(event) {
      if (this.swallowed.delete(event.code || event.key)) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    }

    start(event) {
      this.reset();
      this.line = event.key;
      this.last = event.timeStamp;
      const focused = document.activeElement;
      if (isEditable(focused)) {
        this.field = focused;
        this.before = { value: focused.value, range: selection(focused) };
      }
      this.wait(SETTLE);
    }

    // The second key came in time: a scanner. Take the first key back from the field it went into.
    confirm() {
      this.confirmed = true;
      if (this.field && this.field.value !== this.before.value) {
        this.field.value = this.before.value;
        if (this.before.range[0] !== null) this.field.setSelectionRange(...this.before.range);
        this.field.dispatchEvent(new Event("input", { bubbles: true }));
      }
    }

    swallow(event) {
      event.preventDefault();
      event.stopImmediatePropagation();
      this.swallowed.add(event.code || event.key);
    }

    lineGap() {
      return isVcardOpen(this.lines.join("\n")) ? VCARD_GAP : LINE_GAP;
    }

    wait(ms) {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.finish(), ms);
    }

    // The code is complete (or the keys stopped): hand it over, or give a person's keys back.
    finish(ended = false) {
      const { lines, confirmed, last } = this;
      let line = this.line;
      let typed = "";
      if (confirmed && lines.length && line.length === 1) [typed, line] = [line, ""]; // a key after the pause
      const code = [...lines, line].join("\n").replace(/\s+$/, "");
      const fromScanner = confirmed && code.length >= (lines.length || ended ? MIN_CODE : MIN_BARE_CODE);
      if (confirmed && !fromScanner) typed = [...lines, line].join("") + typed; // a fast typist's keys
      this.reset();
      if (fromScanner) {
        this.tailUntil = last + GAP;
        this.onCode(code);
      }
      if (typed && isEditable(document.activeElement)) giveBack(document.activeElement, typed);
    }
  }

  window.ScannerKeys = ScannerKeys;
})();
