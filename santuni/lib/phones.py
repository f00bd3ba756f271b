"""Malaysian telephone numbers: display, tap-to-call and WhatsApp links."""

from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType


@dataclass(frozen=True)
class PhoneDisplay:
    display: str  # as Malaysians write it: 06-765 4321, 012-345 6789, 15999
    tel: str  # tel: URI
    whatsapp: str  # wa.me link for mobiles, else ""


def is_short_code(number: str) -> bool:
    """Emergency and hotline short codes: 999, 112, 15999."""
    return number.isdigit() and 3 <= len(number) <= 5


def _parse(number: str):
    try:
        parsed = phonenumbers.parse(number, "MY")
    except NumberParseException:
        return None
    return parsed if phonenumbers.is_possible_number(parsed) else None


@lru_cache(maxsize=4096)
def phone_display(number: str) -> PhoneDisplay:
    number = number.strip()
    digits = "".join(c for c in number if c.isdigit() or c == "+")
    if is_short_code(digits):
        return PhoneDisplay(digits, f"tel:{digits}", "")
    parsed = _parse(number)
    if parsed is None:
        return PhoneDisplay(number, f"tel:{digits}", "")
    e164 = phonenumbers.format_number(parsed, PhoneNumberFormat.E164)
    whatsapp = ""
    if phonenumbers.number_type(parsed) == PhoneNumberType.MOBILE:
        whatsapp = f"https://wa.me/{e164.lstrip('+')}"
    return PhoneDisplay(
        phonenumbers.format_number(parsed, PhoneNumberFormat.NATIONAL), f"tel:{e164}", whatsapp
    )


def normalise_phone(number: str) -> str:
    """E.164 for a full number, the digits for a short code; ValueError when neither."""
    if is_short_code(number.strip()):
        return number.strip()
    parsed = _parse(number)
    if parsed is None or not phonenumbers.is_valid_number(parsed):
        raise ValueError(number)
    return phonenumbers.format_number(parsed, PhoneNumberFormat.E164)
