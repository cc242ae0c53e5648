"""Figure export: SVG/PDF/PNG rendered offline on the server, CSV data, parameters JSON, share URL.

Used by ``ui.page.show`` (the page's download buttons and the "download all" zip) and by the command
line ``python -m ui export`` (``ui.cli``): both go through ``bundle.figure_file`` and
``bundle.write_set``, so a file from the page and a file from the command line are identical.
"""

from .bundle import ALL_FORMATS, IMAGE_FORMATS, MIME, figure_file, write_set, zip_set
from .renderer import RendererUnavailable, problem

__all__ = ["ALL_FORMATS", "IMAGE_FORMATS", "MIME", "RendererUnavailable", "figure_file",
           "problem", "write_set", "zip_set"]
