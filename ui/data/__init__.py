"""Data: cached theory calls for each page family and what one request may cost."""
