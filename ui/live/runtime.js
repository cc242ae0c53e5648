// Live figures: sliders that redraw a plotly.js figure in the browser on every input
// event. This file holds no mathematics: every number comes from the functions that sympy prints
// into live_math (ui/live/jsmath.py), named by the figure's spec (ui/live/specs.py). The server
// sends the figure's layout and trace styles without their data; this file fills in the data.
//
// liveMount(root, data, send): draw into `root`; call it again with new data after every rerun.
// send(name, value) is called when a slider is released (its `change` event) or a value is typed
// into the box beside it. A series with `fixed` data (a pinned parameter set,
// ui/state/pins.py) is drawn as sent.

const LIVE_FUNCTIONS = { recoveryProbability, recoveryKl, klCap, recoverabilityBound,
                         totalKlBound, minAttackLength };

// Python's format(x, "g"): six significant digits, exponent below 1e-4 and from 1e6 on.
function formatG(x) {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? "nan" : (x > 0 ? "inf" : "-inf");
  if (x === 0) return "0";
  const rounded = Number(x.toPrecision(6));
  const exponent = Math.floor(Math.log10(Math.abs(rounded)));
  if (exponent < -4 || exponent >= 6) {
    const [mantissa, power] = rounded.toExponential(5).split("e");
    const digits = mantissa.replace(/\.?0+$/, "");
    const sign = power[0] === "-" ? "-" : "+";
    return `${digits}e${sign}${power.replace(/^[+-]/, "").padStart(2, "0")}`;
  }
  return rounded.toFixed(Math.max(0, 5 - exponent)).replace(/(\.\d*?)0+$/, "$1").replace(/\.$/, "");
}

// A slider's position is the value itself (linear) or an index into its stops (log scale).
function sliderValue(spec, position) {
  return spec.stops ? spec.stops[Math.round(position)] : Number(position);
}

function sliderPosition(spec, value) {
  if (!spec.stops) return value;
  let best = 0;
  spec.stops.forEach((stop, i) => {
    const far = (s) => (value <= 0 || s <= 0) ? (s === value ? 0 : Infinity) : Math.abs(Math.log10(s / value));
    if (far(stop) < far(spec.stops[best])) best = i;
  });
  if (value > 0 && spec.stops[best] === 0) best = 1;  // a positive value never sits on 0
  return best;
}

function xValues(x, params) {
  if (x.logspace) {  // as numpy.logspace: 10 to the power of evenly spaced exponents
    const [lo, hi, n] = x.logspace, step = (hi - lo) / (n - 1);
    return Array.from({ length: n }, (_, i) => 10 ** (i === n - 1 ? hi : lo + i * step));
  }
  const from = params[x.from] + (x.offset || 0), to = params[x.to], out = [];
  for (let t = from; t <= to; t++) out.push(t);
  return out;
}

function argument(a, params, x) {
  return a === "$x" ? x : (typeof a === "string" ? params[a] : a);
}

// At most `limit` of the indices 0..n-1, evenly spread, the first and the last among them.
function thinned(n, limit) {
  if (!(limit >= 2) || n <= limit) return null;
  const out = [];
  for (let j = 0; j < limit; j++) out.push(Math.round((j * (n - 1)) / (limit - 1)));
  return out;
}

// `limits[i]`: while dragging, trace i is drawn at no more x values than its x axis has pixels
// (the points between two drawn ones would fall on the same pixel column); on release, at all.
function seriesData(data, params, limits = []) {
  const all = xValues(data.x, params);
  return data.series.map((s, i) => {
    if (s.fixed) return s.fixed;  // a pinned parameter set: the server's data, still under a drag
    const fn = LIVE_FUNCTIONS[s.fn];
    const keep = thinned(all.length, limits[i]);
    const xs = keep ? keep.map((j) => all[j]) : all;
    const y = xs.map((x) => {
      const value = fn(...s.args.map((a) => argument(a, params, x)));
      return Number.isFinite(value) ? value : null;  // a gap, as the server draws it
    });
    const name = s.name ? s.name.replace(/\{(\w+)\}/g, (_, key) => formatG(params[key])) : undefined;
    return { x: xs, y, name };
  });
}

// ui/figures/_style.py's log_ticks: at least MIN_TICKS labelled ticks inside a log axis' range
// (lo..hi in log10 units), powers of ten, then 1-2-5, 1-2-3-5, every digit, then a linear step.
// tests/e2e/test_e2e_log_ticks.py holds the two to the same values and labels.
const MIN_TICKS = 3, MAX_TICKS = 8;
const MANTISSAS = [[1, 2, 5], [1, 2, 3, 5], [1, 2, 3, 4, 5, 6, 7, 8, 9]];
const SUPERSCRIPT = { "-": "⁻", 0: "⁰", 1: "¹", 2: "²", 3: "³", 4: "⁴", 5: "⁵", 6: "⁶", 7: "⁷", 8: "⁸", 9: "⁹" };

function exponentOf(v) {
  return Math.floor(Math.log10(v) + 1e-9);  // 1e-5 is a power of ten, whatever log10 rounds to
}

function tickLabel(v, n, plain) {
  const e = exponentOf(v);
  if (plain) return v.toFixed(Math.max(0, -n));
  const mantissa = (v / 10 ** e).toFixed(Math.max(0, e - n));
  const power = e === 0 ? "1" : (e === 1 ? "10" : "10" + String(e).replace(/./g, (c) => SUPERSCRIPT[c]));
  if (mantissa === "1") return power;
  return e === 0 ? mantissa : `${mantissa}×${power}`;
}

function logTicks(lo, hi, counts = false) {
  if (!(Number.isFinite(lo) && Number.isFinite(hi) && hi > lo)) return [[], []];
  const first = Math.ceil(lo - 1e-9), last = Math.floor(hi + 1e-9);
  let exps = [];
  for (const step of [1, 2, 5, 10, 20, 50, 100]) {
    exps = [];
    for (let e = first; e <= last; e++) if (e % step === 0) exps.push(e);
    if (exps.length <= MAX_TICKS) break;
  }
  if (exps.length >= MIN_TICKS) return [exps.map((e) => 10 ** e), exps.map((e) => tickLabel(10 ** e, e, counts))];
  const a = 10 ** lo, b = 10 ** hi;
  const plain = counts || (1e-3 <= a && b < 1e4);
  for (const mantissas of MANTISSAS) {
    const ticks = [];
    for (let e = Math.floor(lo); e <= Math.floor(hi); e++) {
      for (const m of mantissas) {
        const at = Math.log10(m) + e;
        if (lo - 1e-9 <= at && at <= hi + 1e-9) ticks.push([m * 10 ** e, e]);
      }
    }
    if (ticks.length >= MIN_TICKS) return [ticks.map(([v]) => v), ticks.map(([v, n]) => tickLabel(v, n, plain))];
  }
  for (let n = exponentOf(b - a); ; n--) {  // a linear step: the largest of 5, 2, 1 × 10ⁿ
    for (const m of [5, 2, 1]) {
      const step = m * 10 ** n;
      const from = Math.ceil(a / step - 1e-9), to = Math.floor(b / step + 1e-9);
      if (to - from + 1 >= MIN_TICKS) {
        const vals = [];
        for (let k = from; k <= to; k++) vals.push(k * step);
        return [vals, vals.map((v) => tickLabel(v, n, plain))];
      }
    }
  }
}

// The same rule as ui/figures/_style.py's log_range and log_axis, for the axes a drag rescales:
// a log axis around the positive values (and the parameters named in `extra`), linear when
// there are none or when a trace named in `require` has a value that is not positive.
// While dragging, `drawn` is the range to hold (heldRange): a range then only grows, and a log
// axis stays log (a value it cannot show is a gap, as plotly draws it, until the release), so
// the next moves fit in it and take the cheap path.
function rescale(layout, axis, traces, params, drawn) {
  const props = layout[axis.axis] = layout[axis.axis] || {};
  const own = axis.traces.flatMap((i) => traces[i].y).filter((y) => y !== null && Number.isFinite(y));
  if (axis.scale === "linear") {  // from 0 (or the lowest value) to the highest, 5 % headroom
    const lo = Math.min(0, ...own), hi = Math.max(...own, 0) * 1.05 || 1;
    const range = drawn && drawn.range ? [Math.min(lo, drawn.range[0]), Math.max(hi, drawn.range[1])] : [lo, hi];
    Object.assign(props, { range, autorange: false });
    return;
  }
  const positive = own.concat((axis.extra || []).map((key) => params[key])).filter((y) => y > 0);
  const required = (axis.require || []).flatMap((i) => traces[i].y);
  const held = drawn && drawn.type === "log" && drawn.range ? drawn.range : null;
  if (!held && (!own.some((y) => y > 0) || required.some((y) => !(y > 0)))) {
    Object.assign(props, { type: "linear", dtick: undefined, tickvals: undefined, ticktext: undefined });
    if (axis.linear) Object.assign(props, { range: axis.linear, autorange: false });
    else { delete props.range; props.autorange = true; }
    return;
  }
  const lo = Math.log10(Math.min(...positive)), hi = Math.log10(Math.max(...positive));
  const span = Math.max(hi - lo, 0.2), pad = axis.pad ?? 0.1;
  const range = positive.length ? [lo - pad * span, hi + pad * span] : [...held];
  if (held) {
    range[0] = Math.min(range[0], held[0]);
    range[1] = Math.max(range[1], held[1]);
  }
  // a count axis (tokens) labels no tick in its bottom 5 %, where the x axis' first label is
  const [tickvals, ticktext] = axis.counts
    ? logTicks(range[0] + 0.05 * (range[1] - range[0]), range[1], true) : logTicks(range[0], range[1]);
  Object.assign(props, { type: "log", range, autorange: false, exponentformat: "power",
                         dtick: undefined, tickvals, ticktext });
}

// While the data stay inside the drawn y range, a move replaces the traces' y values only: the
// axes hold still under the hand (as in Desmos) and plotly skips the layout, which is most of
// a full redraw's cost. Otherwise, and on release, the whole figure is redrawn.
function fitsDrawnAxes(state, traces) {
  const layout = state.gd.layout;
  return (state.data.axes || []).every((axis) => {
    const props = layout[axis.axis] || {};
    const ys = axis.traces.flatMap((i) => traces[i].y).filter((y) => y !== null);
    if (!props.range) return false;
    if (props.type !== "log") {
      return axis.scale === "linear" ? ys.every((y) => y >= props.range[0] && y <= props.range[1])
        : ys.every((y) => y <= 0);
    }
    const shown = ys.filter((y) => y > 0);  // the others are gaps on a log axis
    const [lo, hi] = props.range;
    return !shown.length
      || (Math.log10(Math.min(...shown)) >= lo && Math.log10(Math.max(...shown)) <= hi);
  });
}

// The cheap move: plotly's every redraw, even its animation path, runs its defaults and calc
// over the whole figure (on a phone with a 4x slower CPU, about 35 ms a move: two frames). With
// the axes held still nothing but the curves changes, so the traces' SVG paths are rewritten
// here from plotly's own axis mapping (c2p), in plotly's coordinates and to its 0.01 px; gd.data
// takes the new values too. False (nothing drawn) for a trace this does not know how to draw.
// plotly's internal state (calcdata, hover) stays at the last full redraw: `stale` until the next.
function drawPaths(state, traces) {
  const { gd, data } = state;
  const layout = gd._fullLayout;
  const groups = [...gd.querySelectorAll(".scatterlayer .trace")];
  const todo = [];
  for (const group of groups) {
    const cd = group.__data__, full = cd && cd[0] && cd[0].trace;
    if (!full || data.series[full.index].fixed) continue;  // a pinned set does not move
    const t = traces[full.index];
    const shape = full.line && full.line.shape;
    if (!t || cd.length !== t.x.length || (shape !== "linear" && shape !== "hv")
        || (full.fill && full.fill !== "none") || full.visible !== true) return false;
    const xa = layout["xaxis" + full.xaxis.slice(1)], ya = layout["yaxis" + full.yaxis.slice(1)];
    if (!xa || !ya) return false;
    todo.push([group, t, shape, xa, ya, full.index]);
  }
  const round = (v) => Math.round(v * 100) / 100;
  const same = (a, b) => a && b && a.length === b.length && a.every((v, i) => v === b[i]);
  for (const [group, t, shape, xa, ya, index] of todo) {
    const before = gd.data[index];
    // a curve the slider does not move (the base rate under μ): nothing to lay out and paint
    if (same(before.x, t.x) && same(before.y, t.y)) {
      before.name = t.name;
      continue;
    }
    const px = t.x.map((x) => round(xa.c2p(x)));
    const py = t.y.map((y) => (y === null ? null : round(ya.c2p(y))));
    let d = "", open = false;
    for (let i = 0; i < px.length; i++) {
      if (py[i] === null || !Number.isFinite(py[i])) { open = false; continue; }  // a gap
      if (!open) d += `M${px[i]},${py[i]}`;
      else d += shape === "hv" ? `H${px[i]}V${py[i]}` : `L${px[i]},${py[i]}`;
      open = true;
    }
    const lines = group.querySelectorAll(".lines path.js-line");
    lines.forEach((line, i) => line.setAttribute("d", i === 0 ? d : ""));
    for (const point of group.querySelectorAll(".points path.point")) {
      const i = point.__data__ && point.__data__.i;
      if (py[i] === null || py[i] === undefined || !Number.isFinite(py[i])) {
        point.setAttribute("display", "none");
      } else {
        point.removeAttribute("display");
        point.setAttribute("transform", `translate(${px[i]},${py[i]})`);
      }
    }
    Object.assign(gd.data[index], { x: t.x, y: t.y, name: t.name });
  }
  renameLegend(gd, traces);
  state.stale = true;
  return true;
}

// The cheap path leaves the legend as drawn: write a changed name into its text directly.
function renameLegend(gd, traces) {
  for (const item of gd.querySelectorAll(".legend .traces")) {
    const index = item.__data__ && item.__data__[0] && item.__data__[0].trace.index;
    const text = item.querySelector(".legendtext");
    if (text && traces[index] && traces[index].name && text.textContent !== traces[index].name) {
      // the text node's data, not textContent: replacing the node is a childList mutation, on
      // which Streamlit's tab panel (react-aria) walks every focusable element it holds
      const node = text.firstChild;
      if (node && node.nodeType === Node.TEXT_NODE && !node.nextSibling) node.data = traces[index].name;
      else text.textContent = traces[index].name;
    }
  }
}

// `fresh`: the first move of a drag, which redraws in full to set up the cheap moves after it.
// What the dragged slider `name` can reach, the other parameters held: per rescaled axis, the
// range that takes in every value its curves take at any of the slider's positions. An axis the
// curves leave grows to it on that side (heldRange), so no later move of the drag redraws that
// side: on a slow phone plotly redraws an axis in ten frames or more, a move of the curves in
// under one.
function reachOf(state, name) {
  const { data, params } = state;
  const spec = data.sliders.find((s) => s.name === name);
  if (!spec) return {};
  let values = spec.stops;
  if (!values) {
    const step = Number(spec.step) > 0 ? Number(spec.step) : (spec.max - spec.min) / 100;
    const n = Math.floor((spec.max - spec.min) / step + 1e-9);
    values = Array.from({ length: n + 1 }, (_, i) => spec.min + i * step).concat([spec.max]);
  }
  const limits = pixelLimits(state);
  const ends = data.series.map(() => ({ lo: Infinity, hi: -Infinity, loPos: Infinity, hiPos: -Infinity }));
  for (const value of values) {
    seriesData(data, { ...params, [name]: value }, limits).forEach((c, i) => {
      const e = ends[i];
      for (const y of c.y) {
        if (y === null || !Number.isFinite(y)) continue;
        if (y < e.lo) e.lo = y;
        if (y > e.hi) e.hi = y;
        if (y > 0 && y < e.loPos) e.loPos = y;
        if (y > 0 && y > e.hiPos) e.hiPos = y;
      }
    });
  }
  const out = {};
  for (const axis of data.axes || []) {
    // the extremes as traces of two values (a log axis: the positive ones only)
    const extremes = ends.map((e) => ({ y: (axis.scale === "linear" ? [e.lo, e.hi] : [e.loPos, e.hiPos])
      .filter(Number.isFinite) }));
    const probe = {};
    rescale(probe, axis, extremes, params, null);
    const props = probe[axis.axis];
    if (props.range && (axis.scale === "linear" || props.type === "log")) out[axis.axis] = props;
  }
  return out;
}

// The range a drag's full redraw starts from. The axis stays as drawn while the curves fit it
// (touching a slider moves nothing); on a side they leave, it grows at once to everything the
// slider can reach there, so a drag redraws an axis at most once a side. `span`: what the
// curves take now, [lo, hi] in the axis' units (log10 on a log axis).
function heldRange(drawn, reach, span) {
  if (!reach) return drawn;
  if (!drawn || !drawn.range || (reach.type === "log" && drawn.type !== "log")) return reach;
  const [lo, hi] = drawn.range;
  if (!span) return drawn;
  return { type: drawn.type, range: [span[0] < lo ? Math.min(span[0], reach.range[0]) : lo,
                                     span[1] > hi ? Math.max(span[1], reach.range[1]) : hi] };
}

function spanOf(axis, traces, type) {
  const ys = axis.traces.flatMap((i) => traces[i].y).filter((y) => y !== null && Number.isFinite(y));
  const values = type === "log" ? ys.filter((y) => y > 0).map(Math.log10) : ys;
  return values.length ? [Math.min(...values), Math.max(...values)] : null;
}

function pixelLimits(state) {
  const layout = state.gd._fullLayout;
  if (!state.dragging || !layout) return [];
  return state.data.figure.data.map((trace) => {
    const axis = layout["xaxis" + (trace.xaxis || "x").slice(1)];
    return axis && axis._length > 0 ? Math.ceil(axis._length) : undefined;
  });
}

function draw(state, fresh = false) {
  const { data, params, gd } = state;
  const computed = seriesData(data, params, pixelLimits(state));
  const traces = data.figure.data.map((trace, i) => ({ ...trace, ...computed[i],
                                                       name: computed[i].name ?? trace.name }));
  const moving = state.dragging && !fresh && state.drawn;
  if (moving && fitsDrawnAxes(state, traces) && drawPaths(state, traces)) {
    // drawn: the axes held still
  } else {
    const layout = structuredClone(data.figure.layout);
    if (state.dragging && fresh) state.reach = reachOf(state, state.dragged);
    for (const axis of data.axes || []) {
      const drawn = state.dragging && gd.layout ? gd.layout[axis.axis] : null;
      const span = drawn && spanOf(axis, traces, drawn.type);
      rescale(layout, axis, traces, params,
              state.dragging ? heldRange(drawn, state.reach && state.reach[axis.axis], span) : null);
    }
    if (state.dragging) {
      // shapes and labels the server places from values: back on release
      for (const key of ["shapes", "annotations"]) {
        layout[key] = (layout[key] || []).filter((item) => item.name !== "live-stale");
      }
      // the pointer is on a slider, not on the plot: no hover to keep up to date
      layout.hovermode = false;
      // every other axis holds its drawn range: no autorange to recompute on the next moves
      const rescaled = new Set((data.axes || []).map((axis) => axis.axis));
      for (const [key, drawn] of Object.entries(gd.layout || {})) {
        if (/^[xy]axis\d*$/.test(key) && !rescaled.has(key) && drawn.range) {
          layout[key] = { ...layout[key], range: [...drawn.range], autorange: false };
        }
      }
    }
    window.Plotly.react(gd, traces, layout, data.config);
    state.drawn = true;
    state.stale = false;
    state.root.dataset.layouts = String(+(state.root.dataset.layouts || 0) + 1);
  }
  state.redraws += 1;
  state.root.dataset.redraws = String(state.redraws);
}

// A drag's moves are drawn once per animation frame, at the last value: a slow device's input
// events can come faster than it draws, and drawing each would put the curve behind the hand.
// `label` writes the value beside the slider in the same frame as the curve it is drawn at.
function drawNextFrame(state, fresh, label) {
  state.fresh = state.fresh || fresh;
  state.label = label;
  if (state.frame) return;
  state.frame = requestAnimationFrame(() => {
    const first = state.fresh;
    const show = state.label;
    cancelFrame(state);
    show();
    draw(state, first);
  });
}

function cancelFrame(state) {
  if (state.frame) cancelAnimationFrame(state.frame);
  state.frame = 0;
  state.fresh = false;
  state.label = null;
}

// A slider and, in its label, a box with its value: the box is the only number shown, so the two
// never disagree, and it is the fine control (a log slider can have 1.5 px per stop at 1280x800;
// arrow keys move one stop). A typed value is drawn and released like a slider's; the server
// validates it again.
function buildSlider(state, spec) {
  const row = document.createElement("div");
  row.className = "live-slider";
  const head = document.createElement("div");
  head.className = "live-head";
  // the words give way (an ellipsis) to a long value, the symbol never does
  const words = document.createElement("span"), symbol = document.createElement("span");
  words.className = "live-words";
  words.textContent = spec.label.slice(0, spec.label.length - spec.symbol.length).trimEnd();
  symbol.textContent = `${spec.symbol} =`;
  const box = document.createElement("input");
  const input = document.createElement("input");
  const [lo, hi] = spec.stops ? [spec.stops[0], spec.stops[spec.stops.length - 1]] : [spec.min, spec.max];
  Object.assign(box, { type: "number", className: "live-value", min: lo, max: hi, step: "any" });
  box.name = `${spec.name}-value`;
  box.setAttribute("aria-label", `${spec.aria}: exact value`);
  input.type = "range";
  input.name = spec.name;
  input.setAttribute("aria-label", spec.aria);
  if (spec.stops) {
    Object.assign(input, { min: 0, max: spec.stops.length - 1, step: 1 });
  } else {
    Object.assign(input, { min: spec.min, max: spec.max, step: spec.step ?? "any" });
  }
  head.append(words, symbol, box);
  row.append(head, input);
  const show = (value) => {
    box.value = String(value);  // every digit: the value drawn, sent and put in the URL
    input.dataset.value = String(value);
    input.setAttribute("aria-valuetext", `${spec.symbol} = ${formatG(value)}`);
  };
  const release = (value) => {
    cancelFrame(state);
    state.dragging = false;
    state.params[spec.name] = value;
    draw(state);
    state.send(spec.name, value);
  };
  input.addEventListener("input", () => {
    const value = sliderValue(spec, input.value);
    state.params[spec.name] = value;
    const fresh = !state.dragging || state.dragged !== spec.name;  // a drag is of one slider
    state.dragging = true;
    state.dragged = spec.name;
    drawNextFrame(state, fresh, () => show(value));
  });
  input.addEventListener("change", () => {
    const value = sliderValue(spec, input.value);
    show(value);
    release(value);
  });
  box.addEventListener("change", () => {
    const typed = box.value.trim() === "" ? NaN : Number(box.value);  // a number, never code
    if (!Number.isFinite(typed)) { show(state.params[spec.name]); return; }
    const value = Math.min(hi, Math.max(lo, typed));
    input.value = sliderPosition(spec, value);
    show(value);
    release(value);
  });
  state.sliders[spec.name] = { input, set: (value) => { input.value = sliderPosition(spec, value); show(value); } };
  return row;
}

function liveMount(root, data, send) {
  let state = root.__live;
  if (!state || state.id !== data.id) {
    root.replaceChildren();
    root.dataset.liveFigure = data.id;
    const controls = document.createElement("div");
    controls.className = "live-controls";
    const gd = document.createElement("div");
    gd.className = "live-plot";
    // "figure", not "img": an img's content is presentational to assistive technology, and
    // this one holds plotly's toolbar buttons, which must stay reachable.
    gd.setAttribute("role", "figure");
    root.append(controls, gd);
    state = root.__live = { id: data.id, root, gd, sliders: {}, redraws: 0, dragging: false };
    // Follow the column's width: plotly's "responsive" watches only the window, and a column also
    // narrows when a page hidden until a lesson's Reveal is shown (drawn hidden, plotly takes 700 px)
    // or a lesson card docks beside it.
    let width = 0;
    new ResizeObserver(([entry]) => {
      const now = Math.round(entry.contentRect.width);
      if (now && now !== width && state.drawn) {
        if (state.stale) draw(state, true);  // plotly would redraw its calcdata: the last full draw
        window.Plotly.Plots.resize(gd).catch(() => {});
      }
      width = now || width;
    }).observe(gd);
    state.data = data;
    data.sliders.forEach((spec) => controls.append(buildSlider(state, spec)));
  }
  state.data = data;
  state.send = send;
  if (data.alt) state.gd.setAttribute("aria-label", data.alt);
  state.params = { ...data.params };
  cancelFrame(state);
  state.dragging = false;
  for (const spec of data.sliders) state.sliders[spec.name].set(data.params[spec.name]);
  draw(state);
  return state;
}
