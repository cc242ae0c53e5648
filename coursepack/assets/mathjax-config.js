// MathJax 3 (the copy in lib/mathjax/, never a CDN): \( \) inline, \[ \] display, SVG output.
// No menu and no speech: both would load further files the pack does not carry.
window.MathJax = {
  tex: { inlineMath: [["\\(", "\\)"]] },
  svg: { fontCache: "global" },
  options: { enableMenu: false },
  startup: { typeset: true },
};
