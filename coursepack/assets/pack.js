// The course pack's own script: predict-then-reveal, presentation mode, formulas with the live
// values. Plain JavaScript, no framework; every number it shows was computed when the pack was
// made (answers, by the app's theory) or by the sympy-printed functions in live.js (formulas).

(function () {
  "use strict";

  // --- presentation mode: ?present=1 travels along the step links; ←/→ move between steps ----
  const params = new URLSearchParams(location.search);
  const presenting = params.get("present") === "1";

  function withPresent(href, on) {
    const url = new URL(href, location.href);
    if (on) url.searchParams.set("present", "1"); else url.searchParams.delete("present");
    return url.href;
  }

  function setUpPresentation() {
    document.body.classList.toggle("present", presenting);
    if (presenting) {
      for (const a of document.querySelectorAll("a[data-step]")) a.href = withPresent(a.href, true);
    }
    const toggle = document.getElementById("present-toggle");
    if (toggle) {
      toggle.href = withPresent(location.href, !presenting);
      toggle.textContent = presenting ? "Exit presentation" : "Presentation mode";
    }
    document.addEventListener("keydown", (event) => {
      const dir = { ArrowRight: "next", PageDown: "next", ArrowLeft: "prev", PageUp: "prev" }[event.key];
      const t = event.target;
      if (!presenting || !dir || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
      if (t && t.closest && t.closest("input, textarea, select, button, [contenteditable]")) return;
      const link = document.querySelector(`a[data-step="${dir}"]`);
      if (link) { event.preventDefault(); location.href = link.href; }
    });
  }

  // --- predict, then reveal ----------------------------------------------------------------
  function accepts(given, q) {
    if (q.kind === "choice") return given === q.answer;
    if (!Number.isFinite(given)) return false;
    const tol = Math.max(q.tolerance, q.relative_tolerance * Math.abs(q.answer));
    return Math.abs(given - q.answer) <= tol * (1 + 1e-12);  // answers.accepts, to the digit
  }

  function setUpQuestion(form) {
    const q = JSON.parse(form.querySelector("script[type='application/json']").textContent);
    const result = form.querySelector(".result");
    const button = form.querySelector("button.reveal");
    const again = form.querySelector("button.again");
    const hint = form.querySelector(".hint");
    const hidden = document.querySelectorAll("[data-until-reveal]");
    const readGiven = () => {
      if (q.kind === "choice") {
        const picked = form.querySelector("input[type=radio]:checked");
        return picked ? Number(picked.value) : null;
      }
      const box = form.querySelector("input[type=number]");
      return box.value.trim() === "" ? null : Number(box.value);
    };
    const update = () => { button.textContent = readGiven() === null ? "Reveal" : "Check and reveal"; };
    form.addEventListener("input", update);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const given = readGiven();
      let verdict, text;
      if (given === null) { verdict = "info"; text = `The answer: ${q.shown}.`; }
      else if (accepts(given, q)) { verdict = "right"; text = `Correct: ${q.shown}.`; }
      else {
        verdict = "wrong";
        const mine = q.kind === "choice" ? `“${q.choices[given]}”` : String(given);
        text = `Not quite: the answer is ${q.shown} (you said ${mine}).`;
      }
      result.className = `result ${verdict}`;
      result.textContent = text;
      result.hidden = false;
      for (const el of form.querySelectorAll("input")) el.disabled = true;
      button.hidden = true;
      if (hint) hint.hidden = true;
      again.hidden = false;
      for (const el of hidden) el.hidden = false;
      form.dataset.revealed = verdict;
      result.focus();
    });
    again.addEventListener("click", () => {
      result.hidden = true;
      for (const el of form.querySelectorAll("input")) el.disabled = false;
      button.hidden = false;
      if (hint) hint.hidden = false;
      again.hidden = true;
      for (const el of hidden) el.hidden = true;
      delete form.dataset.revealed;
      update();
    });
    update();
  }

  // --- formulas with the live figure's current values -------------------------------------
  // Python's format(x, "g") (formatG, live.js) as TeX: 1.5e-07 -> 1.5\times10^{-7}, inf -> \infty.
  function texNumber(x) {
    if (x === Infinity) return "\\infty";
    if (x === -Infinity) return "-\\infty";
    if (x === null || Number.isNaN(x)) return "\\text{undefined}";
    const g = formatG(x);
    const [m, e] = g.split("e");
    return e === undefined ? g : `${m}\\times10^{${Number(e)}}`;
  }

  function argumentOf(a, values) {
    return typeof a === "string" ? values[a] : a;
  }

  function setUpFormulas(box) {
    const spec = JSON.parse(box.querySelector("script[type='application/json']").textContent);
    const root = document.querySelector(`[data-live-figure="${spec.figure}"]`);
    const lines = Array.from(box.querySelectorAll(".formula"));
    let queued = false;
    const render = () => {
      queued = false;
      const state = root && root.__live;
      const values = { ...spec.params, ...(state ? state.params : {}) };
      values.k1 = values.k + 1;  // the first position beyond the horizon
      const computed = spec.values.map((v) => {
        const y = window[v.fn](...v.args.map((a) => argumentOf(a, values)));
        return typeof y === "number" ? y : NaN;
      });
      box.dataset.values = JSON.stringify(computed.map((y) => (Number.isFinite(y) ? y : String(y))));
      box.dataset.params = JSON.stringify(values);
      lines.forEach((el, i) => {
        const tex = spec.lines[i].replace(/@(\w+)@/g, (_, key) =>
          texNumber(/^\d+$/.test(key) ? computed[Number(key)] : values[key]));
        if (el.dataset.tex === tex) return;
        el.dataset.tex = tex;
        if (window.MathJax && MathJax.typesetClear) MathJax.typesetClear([el]);
        el.textContent = `\\[${tex}\\]`;
      });
      if (window.MathJax && MathJax.typesetPromise) {
        MathJax.typesetPromise(lines).then(() => { box.dataset.typeset = String(Date.now()); });
      }
    };
    const queue = () => { if (!queued) { queued = true; requestAnimationFrame(render); } };
    if (root) new MutationObserver(queue).observe(root, { attributes: true, attributeFilter: ["data-redraws"] });
    render();
  }

  function start() {
    setUpPresentation();
    document.querySelectorAll("form.question").forEach(setUpQuestion);
    const formulas = document.querySelectorAll(".formulas");
    const typeset = window.MathJax && MathJax.startup && MathJax.startup.promise;
    const ready = () => { document.documentElement.dataset.ready = "1"; window.__packReady = performance.now(); };
    if (typeset) {
      typeset.then(() => { formulas.forEach(setUpFormulas); ready(); });
    } else {
      formulas.forEach(setUpFormulas);
      ready();
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
