/* A number as people type it at a booth, read as the server reads a file's (number_text in
 * tracker/questions/answers.py; tests/test_questions_browser.py holds both to one table): "12", "3.5" or
 * "3,5"; "1,500" and "1.500.000" group thousands; with a comma and a point, the last one is the decimal
 * mark ("1.500,5", "1,500.5"). null when it is not a number.
 */
(function () {
  "use strict";

  const GROUPED = { ",": /^-?[1-9][0-9]{0,2}(,[0-9]{3})+$/, ".": /^-?[1-9][0-9]{0,2}(\.[0-9]{3}){2,}$/ };
  const THOUSANDS = { ",": /^-?[1-9][0-9]{0,2}(,[0-9]{3})+$/, ".": /^-?[1-9][0-9]{0,2}(\.[0-9]{3})+$/ };
  const NUMBER = /^-?[0-9]{1,10}(\.[0-9]+)?$/;

  function readNumber(typed) {
    let text = String(typed).replace(/\s+/g, "");
    if (text.includes(",") && text.includes(".")) {
      const mark = Math.max(text.lastIndexOf(","), text.lastIndexOf("."));
      const head = text.slice(0, mark), grouping = text[mark] === "," ? "." : ",";
      if (!THOUSANDS[grouping].test(head)) return null;
      text = head.split(grouping).join("") + "." + text.slice(mark + 1);
    } else if (GROUPED[","].test(text) || GROUPED["."].test(text)) {
      text = text.replace(/[.,]/g, "");
    } else {
      text = text.replace(",", ".");
    }
    return NUMBER.test(text) ? Number(text) : null;
  }

  globalThis.boothNumbers = { readNumber };
})();
