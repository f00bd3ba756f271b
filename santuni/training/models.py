"""Capacity building: programmes, events and the CBO members who attended."""
