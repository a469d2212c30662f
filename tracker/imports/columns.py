"""Which column of a file holds what: the fields of each kind of import, guessed from header names (in
English and the usual French, German and Spanish) and from sample values, and a file's header shape,
by which a saved preset is recognised when the same platform's file comes again.

A mapping is a list as long as the header: per column, the field it fills, "" (kept as extra data) or
``LEFT_OUT`` (chosen on the mapping screen, or the "Reason" column of a rejected-rows file coming back).
"""

from __future__ import annotations

import hashlib
import re

from tracker.scoring.text import fold_text

ATTENDEES = "attendees"
LEADS = "leads"
LEFT_OUT = "-"
REASON = "Reason"  # the last column of a rejected-rows file

# Fields, in the order the mapping screen lists them.
PERSON_FIELDS = {
    "badge_id": "Badge id",
    "first_name": "First name",
    "last_name": "Last name",
    "full_name": "Full name (split into first and last)",
    "email": "Email",
    "phone": "Phone",
    "company": "Company",
    "title": "Job title",
    "country": "Country",
    "city": "City",
}
LEAD_FIELDS = {
    "scanned_at": "Scanned at",
    "rating": "Rating",
    "notes": "Notes",
    "interests": "Interests",
    "conversation_type": "Conversation type",
    "consent": "Consent to be contacted",
    "scanned_by": "Scanned by (staff name or email)",
}


# A lead file's column can hold the answers to one of the sponsor's qualifying questions: the field
# "answer:<question id>", offered with the question's label (``tracker.imports.mapping.question_fields``).
ANSWER = "answer:"


def fields_of(kind: str, questions: dict[str, str] | None = None) -> dict[str, str]:
    """The fields a column of this kind of file can fill; a lead file's include the sponsor's questions."""
    return {**PERSON_FIELDS, **({**LEAD_FIELDS, **(questions or {})} if kind == LEADS else {})}


# Header names per field, folded (``fold``): English, French, German, Spanish, and platform spellings.
SYNONYMS = {
    "badge_id": "badgeid badge badgenumber badgeno badgecode barcode qrcode registrationid registrationnumber "
    "regid attendeeid ticketid ticketnumber ticketcode confirmationnumber ordercode idbadge numerobadge "
    "numerodebadge codebadge idinscription badgenummer badgeidnummer ticketnummer teilnehmerid "
    "numerodegafete gafete idregistro numeroderegistro codigodebarras",
    "first_name": "firstname first givenname forename prenom vorname nombre nombrepila",
    "last_name": "lastname last surname familyname nomdefamille nom nachname familienname apellido apellidos",
    "full_name": "name fullname attendeename attendee contact contactname nomcomplet nometprenom "
    "vollstandigername nombrecompleto participant teilnehmer asistente",
    "email": "email emailaddress mail workemail businessemail courriel adresseemail adressemail "
    "emailadresse correo correoelectronico",
    "phone": "phone phonenumber mobile mobilephone cellphone telephone tel telefon handy telefono movil "
    "portable",
    "company": "company companyname organization organisation organizationname employer account "
    "entreprise societe organisme firma unternehmen organisation empresa compania organizacion",
    "title": "title jobtitle position role jobrole designation fonction poste intitule titreduposte "
    "berufsbezeichnung jobbezeichnung funktion cargo puesto",
    "country": "country countrycode countryregion pays land staat pais",
    "city": "city town ville stadt ort ciudad localidad",
    "scanned_at": "scannedat scantime scandate scandatetime datescanned timescanned capturedat capturedate "
    "leadcapturedate timestamp datetime createdat dateetheure datedescan horodatage scanzeit "
    "erfasstam zeitstempel fechadeescaneo fechayhora fechadecaptura",
    "rating": "rating leadrating temperature leadtemperature qualification evaluation bewertung "
    "einstufung calificacion valoracion",
    "notes": "notes note comments comment remarks remarques commentaires commentaire notizen notiz "
    "kommentar bemerkungen notas comentarios observaciones",
    "interests": "interests interest topics productinterest productsofinterest interets centresdinteret "
    "interessen themen intereses temas",
    "conversation_type": "conversationtype conversation interactiontype typedeconversation gesprachsart "
    "tipodeconversacion",
    "consent": "consent optin gdprconsent marketingconsent consenttocontact consentement optinmarketing "
    "einwilligung zustimmung consentimiento",
    "scanned_by": "scannedby capturedby collectedby staff boothstaff scanner scannername user username "
    "scannepar capturepar erfasstvon gescanntvon escaneadopor capturadopor",
}
_BY_NAME = {name: field for field, names in SYNONYMS.items() for name in names.split()}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def fold(text) -> str:
    """A header name folded as every comparison is (``tracker.scoring.text.fold``) and reduced to its
    letters and digits ("E-Mail Adresse" -> "emailadresse", "Prénom" -> "prenom")."""
    return "".join(ch for ch in fold_text(str(text or "")) if ch.isalnum())


def field_for_header(header, kind: str, questions: dict[str, str] | None = None) -> str:
    """The field a header names: a known field's name, or (lead files) a question's label."""
    field = _BY_NAME.get(fold(header), "")
    if not field and kind == LEADS and questions:
        names = {fold(header), re.sub(r"^(?:question|q)(?=.)", "", fold(header))}  # "Q: Timeline?" too
        for key, label in questions.items():
            if fold(label.removeprefix("Answer: ").removesuffix(" (no longer asked)")) in names:
                field = key
                break
    return field if field in fields_of(kind, questions) else ""


def header_score(cells: list) -> int:
    """How many cells name a known field (any kind): how a header row is told from title lines."""
    return sum(1 for cell in cells if cell is not None and fold(cell) in _BY_NAME)


def guess_mapping(headers: list[str], samples: list[list], kind: str, questions: dict[str, str] | None = None) -> list[str]:  # fmt: skip
    """Per column, the field its header names; a column whose samples all look like email addresses is
    taken as the email when no header names one. Each field is given to one column at most."""
    mapping: list[str] = []
    taken: set[str] = set()
    for header in headers:
        field = field_for_header(header, kind, questions)
        mapping.append("" if field in taken else field)
        taken.add(field)
    if headers and headers[-1] == REASON:
        mapping[-1] = LEFT_OUT
    if "email" not in taken:
        for index in range(len(headers)):
            values = [str(row[index]).strip() for row in samples if index < len(row) and row[index]]
            if not mapping[index] and values and all(EMAIL.match(value) for value in values):
                mapping[index] = "email"
                break
    return mapping


def header_key(headers: list[str]) -> str:
    """The shape of a header (its folded names, in order): how a preset recognises its platform's file."""
    return hashlib.sha256("\x1f".join(fold(h) for h in headers).encode()).hexdigest()[:32]


def mapping_problems(mapping: list[str], kind: str, questions: dict[str, str] | None = None) -> list[str]:
    """What makes a mapping unusable, for the user: unknown fields (another sponsor's question among them),
    a field given to two columns, no column that can say who a row is."""
    known = fields_of(kind, questions)
    problems = [f"Unknown field {field!r}." for field in mapping if field not in ("", LEFT_OUT, *known)]
    chosen = [field for field in mapping if field and field != LEFT_OUT]
    for field in sorted({f for f in chosen if chosen.count(f) > 1}):
        problems.append(f"{known.get(field, field)} is chosen for more than one column.")
    if not {"badge_id", "email", "first_name", "last_name", "full_name"} & set(chosen):
        problems.append("No column says who a row is: choose a badge id, an email or a name column.")
    return problems
