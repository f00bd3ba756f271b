"""JKM aid statistics: the CSV format and its parser, the import, and the dashboard's aid
tables."""
