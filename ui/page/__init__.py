"""Page furniture: what every page uses to show figures, controls and readouts."""
