"""The four forms at launch, as data. Labels are catalog messages (N_), translated when shown."""

from __future__ import annotations

from decimal import Decimal

from bot.forms.model import Field, Form, Kind, Option
from bot.i18n import N_, NP_

# Agencies, substances and countries are reference data: their names live in the database
# (storage/migrations/0011_reference_names.sql), seeded from these labels, corrected by admins.
AGENCY = "agency"
SUBSTANCE = "substance"
COUNTRY = "country"

SUBSTANCES = (
    Option("heroin", N_("Heroin"), SUBSTANCE),
    Option("opium", N_("Opium"), SUBSTANCE),
    Option("hashish", N_("Hashish"), SUBSTANCE),
    Option("cannabis", N_("Cannabis (marijuana)"), SUBSTANCE),
    Option("meth", N_("Methamphetamine"), SUBSTANCE),
    Option("mephedrone", N_("Mephedrone"), SUBSTANCE),
    Option("synth_cann", N_("Synthetic cannabinoids"), SUBSTANCE),
    Option("tramadol", N_("Tramadol"), SUBSTANCE),
    Option("pregabalin", N_("Pregabalin"), SUBSTANCE),
    Option("psych_other", N_("Other psychotropic medicine"), SUBSTANCE),
    Option("precursor", N_("Precursor (acetic anhydride etc.)"), SUBSTANCE),
    Option("other", N_("Other substance"), SUBSTANCE),
)

MEASURES = (
    Option("g", N_("g")),
    Option("kg", N_("kg")),
    Option("ml", N_("ml")),
    Option("l", N_("L")),
    Option("tablets", N_("tablets")),
    Option("pieces", N_("pieces")),
)

AGENCIES = (
    Option("sss", N_("State Security Service"), AGENCY),
    Option("mia", N_("Ministry of Internal Affairs"), AGENCY),
    Option("customs", N_("State Customs Committee"), AGENCY),
    # Translators: NCDC = National Center for Drug Control; write the agency's full name in your
    # language, not the English abbreviation.
    Option("ncdc", N_("NCDC"), AGENCY),
    Option("border", N_("Border Troops"), AGENCY),
    Option("prosecutor", N_("General Prosecutor's Office"), AGENCY),
)

_UZ = Option("uz", N_("Uzbekistan"), COUNTRY)
_AF = Option("af", N_("Afghanistan"), COUNTRY)
_TJ = Option("tj", N_("Tajikistan"), COUNTRY)
_KG = Option("kg", N_("Kyrgyzstan"), COUNTRY)
_KZ = Option("kz", N_("Kazakhstan"), COUNTRY)
_TM = Option("tm", N_("Turkmenistan"), COUNTRY)
_OTHER_COUNTRY = Option("other", N_("Other country"), COUNTRY)

NATIONALITIES = (_UZ, _AF, _TJ, _KG, _KZ, _TM, _OTHER_COUNTRY)

#: Countries a route passes through: the region's first, in the programme's order, then any
#: other. The nationalities are among them with the same keys, hence the same corrected names.
COUNTRIES = (
    _AF,
    Option("ir", N_("Iran"), COUNTRY),
    Option("pk", N_("Pakistan"), COUNTRY),
    _TJ,
    _KG,
    _KZ,
    _TM,
    _UZ,
    Option("ru", N_("Russia"), COUNTRY),
    Option("cn", N_("China"), COUNTRY),
    Option("tr", N_("Türkiye"), COUNTRY),
    Option("eu", N_("European Union"), COUNTRY),
    _OTHER_COUNTRY,
)
#: Every route question takes "Unknown": an officer who does not know says so, which is not
#: the same as skipping the question (the record then shows it as not given).
ROUTE_OPTIONS = (*COUNTRIES, Option("unknown", NP_("country", "Unknown"), alone=True))

CONCEALMENT = (
    Option("vehicle", N_("Hidden in a vehicle")),
    Option("luggage", N_("Luggage")),
    Option("body", N_("On or in the body")),
    Option("cargo", N_("Cargo")),
    Option("mail", N_("Mail or parcel")),
    Option("none", N_("Not concealed")),
    Option("other", NP_("concealment", "Other")),
)

TRANSPORT = (
    Option("car", N_("Car")),
    Option("truck", N_("Truck")),
    Option("bus", N_("Bus")),
    Option("train", N_("Train")),
    Option("air", N_("Aircraft")),
    Option("foot", N_("On foot")),
    Option("other", NP_("transport", "Other")),
)

INCIDENT_CATEGORIES = (
    Option("smuggling", N_("Smuggling attempt")),
    Option("intel", N_("Intelligence on a route or group")),
    Option("suspicious", N_("Suspicious activity")),
    Option("corruption", N_("Corruption concern")),
    Option("other", NP_("incident category", "Other")),
)

NOTES_LIMIT = 1500
WHEN = Field("when", Kind.DATETIME, N_("When did it happen?"), N_("When"))
PLACE = Field("place", Kind.PLACE, N_("Where did it happen?"), N_("Place"))
URGENT = Field("urgent", Kind.YES_NO, N_("Is this urgent?"), N_("Urgent"))
PHOTOS = Field(
    "photos",
    Kind.PHOTOS,
    N_("Send photos, one or several. Tap “Done” when finished."),
    N_("Photos"),
    optional=True,
)
NOTES = Field(
    "notes",
    Kind.TEXT,
    N_("Any notes?"),
    N_("Notes"),
    optional=True,
    max_length=NOTES_LIMIT,
)
AGENCY_FIELD = Field(
    "agencies",
    Kind.MULTI,
    N_("Which agencies were involved? Choose all that apply, then tap “Done”."),
    N_("Agencies"),
    options=AGENCIES,
)

SEIZURE = Form(
    key="seizure",
    code="SZ",
    title=N_("Seizure"),
    fields=(
        WHEN,
        PLACE,
        Field(
            "items",
            Kind.GROUP,
            N_("What was seized?"),
            N_("Items"),
            subfields=(
                Field(
                    "substance",
                    Kind.CHOICE,
                    N_("Which substance?"),
                    N_("Substance"),
                    options=SUBSTANCES,
                ),
                Field(
                    "qty",
                    Kind.NUMBER,
                    N_("How much? Type the quantity."),
                    N_("Quantity"),
                    minimum=Decimal("0.001"),
                    maximum=Decimal("1000000"),
                ),
                Field(
                    "measure",
                    Kind.CHOICE,
                    N_("Which unit of measure?"),
                    N_("Measure"),
                    options=MEASURES,
                ),
            ),
        ),
        Field(
            "conceal",
            Kind.CHOICE,
            N_("How was it concealed?"),
            N_("Concealment"),
            optional=True,
            options=CONCEALMENT,
        ),
        Field(
            "transport",
            Kind.CHOICE,
            N_("Which transport was used?"),
            N_("Transport"),
            optional=True,
            options=TRANSPORT,
        ),
        Field(
            "origin",
            Kind.CHOICE,
            N_("Where do the drugs come from (country of origin), if known?"),
            N_("Country of origin"),
            optional=True,
            options=ROUTE_OPTIONS,
        ),
        Field(
            "departure",
            Kind.CHOICE,
            N_("Which country did the consignment leave from?"),
            N_("Country of departure"),
            optional=True,
            options=ROUTE_OPTIONS,
        ),
        Field(
            "transit",
            Kind.MULTI,
            N_("Which countries did it pass through? Choose all that apply, then tap “Done”."),
            N_("Transit countries"),
            optional=True,
            options=ROUTE_OPTIONS,
        ),
        Field(
            "destination",
            Kind.CHOICE,
            N_("Which country was it intended for?"),
            N_("Country of destination"),
            optional=True,
            options=ROUTE_OPTIONS,
        ),
        Field(
            "detained",
            Kind.NUMBER,
            N_("How many persons were detained?"),
            N_("Persons detained"),
            integer=True,
            minimum=Decimal(0),
            maximum=Decimal(500),
        ),
        Field(
            "nations",
            Kind.MULTI,
            N_("Citizenship of the detained persons? Choose all that apply, then tap “Done”."),
            N_("Nationalities"),
            options=NATIONALITIES,
            ask_if_positive="detained",
        ),
        AGENCY_FIELD,
        Field(
            "caseref",
            Kind.TEXT,
            N_("Case reference number?"),
            N_("Case reference"),
            optional=True,
            max_length=64,
        ),
        NOTES,
        PHOTOS,
        URGENT,
    ),
    urgent_field="urgent",
    occurred_field="when",
    place_field="place",
    items_field="items",
    detained_field="detained",
    photos_field="photos",
    route_fields=("origin", "departure", "transit", "destination"),
)

JOINT_OPERATION = Form(
    key="joint_operation",
    code="JO",
    title=N_("Joint operation"),
    fields=(
        Field("start", Kind.DATETIME, N_("When did the operation start?"), N_("Started")),
        Field("end", Kind.DATETIME, N_("When did it end?"), N_("Ended"), not_before="start"),
        AGENCY_FIELD,
        Field(
            "vehicles",
            Kind.NUMBER,
            N_("How many vehicles were inspected?"),
            N_("Vehicles inspected"),
            integer=True,
            minimum=Decimal(0),
            maximum=Decimal(100000),
        ),
        Field(
            "persons",
            Kind.NUMBER,
            N_("How many persons were checked?"),
            N_("Persons checked"),
            integer=True,
            minimum=Decimal(0),
            maximum=Decimal(100000),
        ),
        Field(
            "result", Kind.TEXT, N_("What was the result?"), N_("Result"), max_length=NOTES_LIMIT
        ),
        NOTES,
    ),
    occurred_field="start",
)

INCIDENT = Form(
    key="incident",
    code="IN",
    title=N_("Incident or intelligence"),
    fields=(
        Field(
            "category",
            Kind.CHOICE,
            N_("What kind of incident?"),
            N_("Category"),
            options=INCIDENT_CATEGORIES,
        ),
        WHEN,
        PLACE,
        Field(
            "descr",
            Kind.TEXT,
            N_("Describe what happened."),
            N_("Description"),
            max_length=NOTES_LIMIT,
        ),
        URGENT,
        PHOTOS,
    ),
    urgent_field="urgent",
    occurred_field="when",
    place_field="place",
    photos_field="photos",
)

DAILY_STATUS = Form(
    key="daily_status",
    code="DS",
    title=N_("Daily status: nothing to report"),
    fields=(
        Field(
            "remarks",
            Kind.TEXT,
            N_("Any remarks?"),
            N_("Remarks"),
            optional=True,
            max_length=NOTES_LIMIT,
        ),
    ),
    summary_first=True,
)

FORMS: dict[str, Form] = {
    form.key: form for form in (SEIZURE, JOINT_OPERATION, INCIDENT, DAILY_STATUS)
}
