"""Phone numbers for machines (pure): E.164 where the number or the person's country says which country."""

from __future__ import annotations

import phonenumbers


def phone_e164(raw: str, country: str = "") -> str:
    """``raw`` as E.164 ("+442079460958") when it is a possible number, read in ``country`` (ISO-2) when
    it has no international prefix; otherwise as it was typed (a number is never dropped)."""
    text = raw.strip()
    if not text:
        return ""
    try:
        number = phonenumbers.parse(text, (country or "").upper() or None)
    except phonenumbers.NumberParseException:  # no country to read a national number in, or not a number
        return text
    # Possible as a whole number, not only locally (7 digits in the US): E.164 needs every digit.
    if phonenumbers.is_possible_number_with_reason(number) != phonenumbers.ValidationResult.IS_POSSIBLE:
        return text
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
