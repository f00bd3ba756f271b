"""Distance between points and links that open a point in Waze or Google Maps."""

import math
from urllib.parse import urlencode

EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE = 111.195  # of latitude; of longitude, times cos(latitude)


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in kilometres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def squared_degrees(latitude: float, longitude: float, from_lat: float, from_lng: float) -> float:
    """Squared distance in degrees of latitude, by the equirectangular approximation
    (accurate to well under 1% within a state): what search ranks and filters by."""
    scale = math.cos(math.radians(from_lat))
    return (latitude - from_lat) ** 2 + ((longitude - from_lng) * scale) ** 2


def waze_url(lat: float, lon: float) -> str:
    return "https://waze.com/ul?" + urlencode({"ll": f"{lat:.6f},{lon:.6f}", "navigate": "yes"})


def google_maps_url(lat: float, lon: float) -> str:
    return "https://www.google.com/maps/search/?" + urlencode(
        {"api": "1", "query": f"{lat:.6f},{lon:.6f}"}
    )
