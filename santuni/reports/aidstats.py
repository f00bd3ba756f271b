"""JKM aid statistics: CSV import and the ministry dashboard's aid tables."""
