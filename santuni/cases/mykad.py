"""MyKad numbers (YYMMDD-PB-###G): validation with a message that says what is wrong."""

from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.my import nric


def compact(value: str) -> str:
    return "".join(c for c in value if c.isdigit())


def birth_date(number: str, today: date) -> date | None:
    """The birth date in the number; of two possible centuries, the latest not in the future."""
    yy, mm, dd = int(number[0:2]), int(number[2:4]), int(number[4:6])
    for century in (2000, 1900):
        try:
            day = date(century + yy, mm, dd)
        except ValueError:
            return None
        if day <= today:
            return day
    return None


def validate(value: str, today: date) -> str:
    """The 12 digits of a valid MyKad number, or a ValidationError saying which part is wrong."""
    number = compact(value)
    if len(number) != 12 or any(c not in "0123456789- " for c in value.strip()):
        raise ValidationError(
            _("A MyKad number has 12 digits, like 850315-05-1234."), code="mykad_format"
        )
    if birth_date(number, today) is None:
        raise ValidationError(
            _("The first six digits of a MyKad number are a birth date (YYMMDD); %(date)s is not."),
            code="mykad_date",
            params={"date": number[:6]},
        )
    try:
        nric.get_birth_place(number)
    except StdnumError:
        raise ValidationError(
            _("Digits 7 and 8 of a MyKad number are a place of birth code; %(code)s is not one."),
            code="mykad_place",
            params={"code": number[6:8]},
        ) from None
    return number


def mask(number: str) -> str:
    """What a screen may show: only the last four digits."""
    return f"••••••-••-{number[-4:]}" if number else ""


def sex(number: str) -> str:
    """'m' or 'f': the last digit is odd for men and even for women."""
    return "m" if int(number[-1]) % 2 else "f"
