"""The HTML page of ``symparams html`` and a notebook's view: the diagram's boxes and arrows
(diagram.py) and the page that gathers them with the summary and the worked solution (page.py)."""
