"""Title, company and domain normalisation: golden tables, account resolution and property tests."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.scoring.normalise_companies import (
    CompanyResolver,
    Match,
    company_key,
    domain_company_key,
    email_domain,
    is_academic,
    is_free_mail,
)
from tracker.scoring.normalise_titles import (
    FUNCTIONS,
    SENIORITIES,
    TitleProfile,
    expand,
    title_profile,
    title_profiles,
)

TITLES = [
    # title, seniority, function
    ("VP Eng", "vp", "app_dev"),
    ("VP of Engineering", "vp", "app_dev"),
    ("Sr. SRE", "senior_ic", "sre"),
    ("Senior Site Reliability Engineer", "senior_ic", "sre"),
    ("Head of Platform", "director", "platform"),
    ("CTO & Co-founder", "founder", "app_dev"),
    ("Co-Founder & CEO", "founder", "other"),
    ("Chief Technology Officer", "c_level", "app_dev"),
    ("Directeur technique", "c_level", "app_dev"),
    ("Directeur des systèmes d'information", "c_level", "platform"),
    ("Leiter IT-Infrastruktur", "director", "platform"),
    ("Responsable infrastructure", "manager", "platform"),
    ("Jefe de plataforma", "director", "platform"),
    ("Staff Software Engineer", "senior_ic", "app_dev"),
    ("Software Engnieer", "ic", "app_dev"),
    ("Student", "student", "other"),
    ("PhD Student, ETH Zürich", "student", "other"),
    ("Platform Engineer", "ic", "platform"),
    ("DevOps Engineer", "ic", "platform"),
    ("Security Architect", "senior_ic", "security"),
    ("CISO", "c_level", "security"),
    ("ML Engineer", "ic", "data_ai"),
    ("Data Scientist", "ic", "data_ai"),
    ("Product Manager", "manager", "product"),
    ("Engineering Manager", "manager", "app_dev"),
    ("Account Executive", "ic", "sales_marketing"),
    ("Head of Developer Relations", "director", "app_dev"),
    ("Founder", "founder", "other"),
    ("Owner", "founder", "other"),
    ("Intern", "student", "other"),
    ("", "unknown", "other"),
    ("VP Sales", "vp", "sales_marketing"),
    ("V.P. Infrastructure", "vp", "platform"),
    ("SVP Engineering", "vp", "app_dev"),
    ("EVP", "vp", "other"),
    ("Vice President, Platform", "vp", "platform"),
    ("Vice-President Sales", "vp", "sales_marketing"),
    ("President", "c_level", "other"),
    ("Président-directeur général", "c_level", "other"),
    ("Geschäftsführer", "c_level", "other"),
    ("Managing Director", "c_level", "other"),
    ("Chief of Staff", "director", "other"),
    ("Director of Engineering", "director", "app_dev"),
    ("Sr Director, Product Management", "director", "product"),
    ("Senior Engineering Manager", "manager", "app_dev"),
    ("Tech Lead", "manager", "app_dev"),
    ("Team Lead Backend", "manager", "app_dev"),
    ("Teamleiter Softwareentwicklung", "manager", "app_dev"),
    ("Abteilungsleiter IT", "director", "platform"),
    ("Chef de projet", "manager", "other"),
    ("Chef de produit", "manager", "product"),
    ("Product Owner", "manager", "product"),
    ("Principal Engineer", "senior_ic", "app_dev"),
    ("Distinguished Engineer", "senior_ic", "app_dev"),
    ("Cloud Architect", "senior_ic", "platform"),
    ("Solutions Architect", "senior_ic", "app_dev"),
    ("Softwareentwickler", "ic", "app_dev"),
    ("Ingénieur DevOps", "ic", "platform"),
    ("Développeur Full-Stack", "ic", "app_dev"),
    ("Ingeniero de software", "ic", "app_dev"),
    ("Gerente de TI", "manager", "platform"),
    ("Vicepresidente de ingeniería", "vp", "app_dev"),
    ("Vizepräsident Vertrieb", "vp", "sales_marketing"),
    ("Werkstudent Data Science", "student", "data_ai"),
    ("Stagiaire DevOps", "student", "platform"),
    ("PhD candidate", "student", "other"),
    ("Developer Advocate", "ic", "app_dev"),
    ("Product Marketing Manager", "manager", "sales_marketing"),
    ("Sales Engineer", "ic", "sales_marketing"),
    ("Customer Success Manager", "manager", "sales_marketing"),
    ("Sales Operations Manager", "manager", "sales_marketing"),
    ("Business Operations Lead", "manager", "other"),
    ("Head of Operations", "director", "sre"),
    ("SRE Manager", "manager", "sre"),
    ("Observability Engineer", "ic", "sre"),
    ("Kubernetes Administrator", "ic", "platform"),
    ("Systems Administrator", "ic", "platform"),
    ("IT Manager", "manager", "platform"),
    ("Data Center Technician", "ic", "platform"),
    ("Security Engineer", "ic", "security"),
    ("Product Security Engineer", "ic", "security"),
    ("SOC Analyst", "ic", "security"),
    ("Head of AI", "director", "data_ai"),
    ("Chief Data Officer", "c_level", "data_ai"),
    ("Analytics Engineer", "ic", "data_ai"),
    ("UX Designer", "ic", "product"),
    ("QA Engineer", "ic", "app_dev"),
    ("Mechanical Engineer", "ic", "other"),
    ("Lead Generation Specialist", "ic", "sales_marketing"),
    ("CEO", "c_level", "other"),
    ("CIO", "c_level", "platform"),
    ("Chairman", "c_level", "other"),
    ("Freelance Developer", "ic", "app_dev"),
    ("DevOps", "ic", "platform"),
    ("Senior Sofware Enginer", "senior_ic", "app_dev"),
    ("Secuirty Engineer", "ic", "security"),
    ("Infrastucture Manager", "manager", "platform"),
    ("Platform Enginer", "ic", "platform"),
    ("Retired", "unknown", "other"),
    ("N/A", "unknown", "other"),
]


@pytest.mark.parametrize(("title", "seniority", "function"), TITLES, ids=[t[0] or "<empty>" for t in TITLES])
def test_title_profile_table(title, seniority, function):
    profile = title_profile(title)
    assert (profile.seniority, profile.function) == (seniority, function), profile.rule


def test_title_table_is_large_enough():
    assert len(TITLES) >= 50


@pytest.mark.parametrize(
    ("title", "rule"),
    [
        ("VP Eng", "seniority:vice-president"),
        ("Vice President, Platform", "seniority:vice-president"),
        ("President", "seniority:president"),
        ("CTO & Co-founder", "seniority:founder"),
        ("Directeur technique", "seniority:cto-local"),
        ("Head of Platform", "seniority:head-of"),
        ("Platform Engineer", "seniority:ic-role"),
        ("DevOps", "function:platform"),
        ("Senior Sofware Enginer", "seniority:senior+spelling"),
        ("", "none"),
        ("Retired", "none"),
    ],
)
def test_title_profile_names_the_deciding_rule(title, rule):
    assert title_profile(title).rule == rule


def test_typo_resolves_through_the_fuzzy_fallback():
    profile = title_profile("Software Engnieer")
    assert profile.rule.startswith("fuzzy:")
    assert int(profile.rule.split(":")[1]) >= 85


def test_abbreviations_and_initials_are_expanded():
    assert expand("V.P. Infrastructure") == "vice president infrastructure"
    assert expand("Sr. Mgr, Cloud Ops") == "senior manager cloud operations"
    assert expand("CTO & Co-Founder") == "chief technology officer and cofounder"
    assert expand("  Ph.D.   Student ") == "phd student"


def test_vice_president_never_reads_as_president():
    for title in ("Vice President", "vice-president", "VICE PRESIDENT OF SALES", "Vice Président", "VP"):
        assert title_profile(title).seniority == "vp", title


def test_title_profiles_covers_each_distinct_title_once():
    titles = ["VP Eng", "vp eng", "VP Eng", None, "", "Student"]
    profiles = title_profiles(titles)
    assert list(profiles) == ["VP Eng", "vp eng", None, "", "Student"]
    assert profiles["VP Eng"] is profiles["vp eng"]  # one folded form, one cached profile
    assert profiles[None] == TitleProfile("unknown", "other", "none")


def test_title_profile_is_frozen():
    with pytest.raises(AttributeError):
        title_profile("CTO").seniority = "ic"


# --- company keys and domains ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Acme Inc.", "acme"),
        ("ACME GmbH", "acme"),
        ("Acme, Inc", "acme"),
        ("Acme Inc", "acme"),
        ("Datadog, Inc.", "datadog"),
        ("DATADOG SAS", "datadog"),
        ("Acme GmbH & Co. KG", "acme"),
        ("Acme LLC", "acme"),
        ("Acme Ltd", "acme"),
        ("Acme Limited", "acme"),
        ("Acme AG", "acme"),
        ("Acme SA", "acme"),
        ("Acme S.A.", "acme"),
        ("Acme S.A. de C.V.", "acme"),
        ("Acme BV", "acme"),
        ("Acme B.V.", "acme"),
        ("Acme NV", "acme"),
        ("Acme Oy", "acme"),
        ("Acme AB", "acme"),
        ("Acme ApS", "acme"),
        ("Acme A/S", "acme"),
        ("Acme KK", "acme"),
        ("Acme K.K.", "acme"),
        ("Acme Pty Ltd", "acme"),
        ("Acme PLC", "acme"),
        ("Acme S.r.l.", "acme"),
        ("Acme SpA", "acme"),
        ("Acme S.p.A.", "acme"),
        ("Acme Corp", "acme"),
        ("Acme Corporation", "acme"),
        ("Acme Co.", "acme"),
        ("The Acme Group", "acme"),
        ("Acme Holdings, Inc.", "acme"),
        ("New Relic", "new relic"),
        ("New Relic, Inc.", "new relic"),
        ("Relic Games Ltd", "relic games"),
        ("Procter & Gamble Co.", "procter and gamble"),
        ("Procter and Gamble", "procter and gamble"),
        ("AT&T Inc.", "att"),
        ("Société Générale S.A.", "societe generale"),
        ("Müller GmbH", "muller"),
        ("Booking.com", "booking"),
        ("Inc.", "inc"),  # never empties a name down to nothing
        ("Group", "group"),
        ("", ""),
        ("  ,. ", ""),
    ],
)
def test_company_key(name, key):
    assert company_key(name) == key


def test_company_key_keeps_different_companies_apart():
    assert company_key("New Relic") != company_key("Relic Games Ltd")


@pytest.mark.parametrize(
    ("email", "domain", "key"),
    [
        ("jo@acme.io", "acme.io", "acme"),
        ("Jo@Mail.Acme.co.uk", "acme.co.uk", "acme"),
        ("mail.acme.co.uk", "acme.co.uk", "acme"),
        ("acme.io", "acme.io", "acme"),
        ("x@eu.mail.acme.com.au", "acme.com.au", "acme"),
        ("Jo Smith <jo@ACME.DE>", "acme.de", "acme"),
        ("jo@new-relic.com", "new-relic.com", "new relic"),
        ("jo@acme-inc.com", "acme-inc.com", "acme"),
        ("jo@lab.u-tokyo.ac.jp", "u-tokyo.ac.jp", "u tokyo"),
        ("jo@mail.example", "mail.example", "mail"),
        ("", "", ""),
        ("jo@", "", ""),
        ("localhost", "", ""),
    ],
)
def test_email_domain_and_domain_company_key(email, domain, key):
    assert email_domain(email) == domain
    assert domain_company_key(email) == key


@pytest.mark.parametrize(
    "domain",
    [
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "hotmail.co.uk",
        "hotmail.fr",
        "live.com",
        "yahoo.com",
        "yahoo.co.jp",
        "icloud.com",
        "me.com",
        "proton.me",
        "protonmail.com",
        "gmx.de",
        "gmx.net",
        "web.de",
        "mail.ru",
        "yandex.ru",
        "qq.com",
        "163.com",
        "naver.com",
        "orange.fr",
        "free.fr",
        "laposte.net",
        "t-online.de",
        "mail.example",
        "jo@mail.example",
        "JO@GMAIL.COM",
    ],
)
def test_free_mail(domain):
    assert is_free_mail(domain)


@pytest.mark.parametrize(
    "domain", ["acme.io", "datadoghq.com", "mail.acme.co.uk", "example.com", "", "gmail"]
)
def test_not_free_mail(domain):
    assert not is_free_mail(domain)


@pytest.mark.parametrize(
    "domain",
    [
        "mit.edu",
        "cs.stanford.edu",
        "ox.ac.uk",
        "u-tokyo.ac.jp",
        "unimelb.edu.au",
        "uni-heidelberg.de",
        "cs.uni-saarland.de",
        "ethz.ch",
        "student.ethz.ch",
        "epfl.ch",
        "tum.de",
        "tu-berlin.de",
        "universiteitleiden.nl",
        "univ-lyon1.fr",
        "jo@inf.ethz.ch",
    ],
)
def test_academic(domain):
    assert is_academic(domain)


@pytest.mark.parametrize("domain", ["acme.io", "unilever.com", "unicredit.it", "gmail.com", "edu", ""])
def test_not_academic(domain):
    assert not is_academic(domain)


# --- resolving accounts ------------------------------------------------------------------------------

ACCOUNTS = [
    (1, "Acme GmbH", ["acme.de", "acme.io"]),
    (2, "Datadog, Inc.", ["datadoghq.com"]),
    (3, "New Relic", ["newrelic.com"]),
    (4, "Globex Corporation", []),
    (5, "Initech Software Solutions", ["initech.example"]),
    (6, "Freemail Lovers", ["gmail.com"]),  # a free-mail domain never identifies a company
]


@pytest.fixture(scope="module")
def resolver():
    return CompanyResolver(ACCOUNTS)


def test_resolves_by_any_of_an_accounts_domains(resolver):
    assert resolver.resolve("Whatever", "acme.io") == Match(1, "domain acme.io", 100)
    assert resolver.resolve("", "eu.acme.de") == Match(1, "domain acme.de", 100)
    assert resolver.resolve("Datadog", "jo@datadoghq.com").method == "domain datadoghq.com"


def test_domain_wins_over_name(resolver):
    assert resolver.resolve("New Relic", "acme.io").account_id == 1


def test_resolves_by_exact_company_key(resolver):
    assert resolver.resolve("DATADOG SAS", "other.example") == Match(2, "name datadog", 100)
    assert resolver.resolve("Globex Corp.", "") == Match(4, "name globex", 100)


def test_resolves_by_fuzzy_key(resolver):
    match = resolver.resolve("Initech Software Solution", "")
    assert match is not None and match.account_id == 5
    assert match.method == f"fuzzy {match.score}" and 88 <= match.score < 100


def test_fuzzy_never_matches_a_different_company(resolver):
    assert resolver.resolve("Relic Games Ltd", "relicgames.example") is None
    assert resolver.resolve("America", "") is None
    assert resolver.resolve("", "") is None


def test_free_mail_never_matches_by_domain(resolver):
    assert resolver.resolve("", "jo@gmail.com") is None
    assert resolver.resolve("Acme Inc.", "gmail.com") == Match(1, "name acme", 100)


def test_first_account_wins_a_clash():
    resolver = CompanyResolver([(1, "Acme Inc", ["acme.io"]), (2, "ACME GmbH", ["acme.io"])])
    assert resolver.resolve("Acme", "acme.io").account_id == 1
    assert resolver.resolve("Acme", "").account_id == 1


# --- properties --------------------------------------------------------------------------------------

TEXT = st.text(max_size=60) | st.sampled_from([t[0] for t in TITLES]) | st.from_regex(r"[A-Za-z.&,/ -]{0,40}")


@given(TEXT)
def test_title_profile_never_raises_and_stays_in_the_value_sets(title):
    profile = title_profile(title)
    assert profile.seniority in SENIORITIES
    assert profile.function in FUNCTIONS
    assert profile.rule


@given(TEXT)
def test_company_key_is_idempotent(name):
    key = company_key(name)
    assert company_key(key) == key


@given(st.text(max_size=60), st.text(max_size=60))
def test_domain_functions_never_raise(company, email):
    domain = email_domain(email)
    assert domain == domain.lower()
    assert isinstance(domain_company_key(email), str)
    assert isinstance(is_free_mail(email), bool)
    assert isinstance(is_academic(email), bool)
    CompanyResolver(ACCOUNTS).resolve(company, email)


def test_resolver_tolerates_domains_given_as_one_string():
    resolver = CompanyResolver([(7, "Umbrella", "umbrella.example, umbrella.de")])
    assert resolver.resolve("", "jo@umbrella.de") == Match(7, "domain umbrella.de", 100)
