"""The officers' dashboards: the table shape and its registry, the operational figures, the
charts, the CSV/XLSX exports and the pages that show them."""
