"""Live figures: closed-form figures redrawn in the browser while a slider moves.

``specs`` says which figures are live and how each trace is computed; ``jsmath`` prints the
JavaScript of Theorems 20 and 22 and Corollary 23 from the sympy derivations; ``assets`` serves
it with plotly.js; ``component`` mounts the figure on a page; ``export`` writes it as one
self-contained HTML file.
"""
