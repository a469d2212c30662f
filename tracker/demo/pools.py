"""Hand-written, fictional word pools and small shared helpers for the demo data (tracker.demo).

No real people or companies: every name here is invented or a well-known placeholder.
"""

from __future__ import annotations

import random
import unicodedata
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

Record = dict[str, Any]
T = TypeVar("T")

# A name is either plain Latin text or (native script, romanised form used for emails and usernames).
Name = str | tuple[str, str]

# Name cultures: first names, last names ("" marks a mononym: no last name on the badge).
CULTURES: dict[str, tuple[list[Name], list[Name]]] = {
    "fr": (
        ["François", "Zoë", "Hélène", "Jérôme", "Anaïs", "Loïc", "Mathilde", "Théo", "Maëlle", "Cécile"],
        ["Lefèvre", "Dubois", "Le Goff", "de la Fontaine", "Moreau", "Bérard", "Nguyen", "Lacroix", "Faure"],
    ),
    "de": (
        ["Jürgen", "Anja", "Lukas", "Käthe", "Maximilian", "Sören", "Birgit", "Jörg", "Lena", "Ömer"],
        ["Müller", "Schröder", "Weiß", "von Ahlefeldt", "Groß", "Krüger", "Hoffmann", "Şahin", "Bäcker"],
    ),
    "pl": (
        ["Łukasz", "Małgorzata", "Wojciech", "Agnieszka", "Paweł", "Zofia", "Grzegorz"],
        ["Wiśniewski", "Kowalczyk", "Żółkiewska", "Krzyżanowski", "Nowak", "Dąbrowska", "Wójcik"],
    ),
    "nordic": (
        ["Søren", "Åsa", "Bjørn", "Sigríður", "Jóhann", "Ingrid", "Mikko", "Päivi", "Freja"],
        ["Ødegaard", "Kjærgaard", "Åkesson", "Guðmundsdóttir", "Lindqvist", "Virtanen", "Hämäläinen"],
    ),
    "gb_ie": (
        ["Siobhán", "Niamh", "Seán", "Aoife", "Oliver", "Harriet", "Mary-Kate", "Rhys", "Tomás"],
        ["O'Brien", "O'Sullivan", "McAllister", "Smith-Jones", "Ní Bhriain", "Featherstonehaugh", "Clarke"],
    ),
    "iberia_latam": (
        ["José", "María José", "João", "Conceição", "Inés", "Thaís", "Álvaro", "Ximena", "Joaquín"],
        ["García-Márquez", "Muñoz", "Gonçalves", "da Silva Pereira", "Peña", "Fernández de Córdoba"],
    ),
    "it": (
        ["Nicolò", "Ilaria", "Giuseppe", "Chiara", "Niccolò", "Beatrice"],
        ["D'Angelo", "Dell'Acqua", "Esposito", "Lo Bianco", "Ferraro"],
    ),
    "tr": (["Çağla", "Şükrü", "Ömer", "Elif", "Gökhan"], ["Yılmaz", "Öztürk", "Çelik", "Doğan", "Aydın"]),
    "cz_hu": (["Jiří", "Zdeněk", "Gergő", "Réka", "Lucie"], ["Dvořák", "Novotná", "Szőke", "Nagy", "Černý"]),
    "vn": (["Hương", "Minh", "Thảo", "Đức"], ["Nguyễn", "Trần", "Phạm Thị", "Lê"]),
    "in": (
        ["Priya", "Arjun", "Lakshminarasimhan", "Ananya", "Vikram", "Sneha", "Rohit"],
        ["Raghunathan", "Venkataraman", "Iyer", "Chatterjee", "Singh", "Reddy", "Kulkarni", ""],
    ),
    "ng_gh": (["Chukwuemeka", "Oluwaseun", "Adaeze", "Kwame", "Ngozi"], ["Adebayo-Okonkwo", "Mensah", "Eze"]),
    "us_ca": (
        ["Zoë", "Emily", "DeShawn", "Madison", "Tyler", "Jamal", "Brooke", "Keʻalohilani", "Connor", "Ava"],
        ["Smith", "Johnson", "O'Neil", "Washington", "Nakamura", "Rodríguez", "Kim", "St. John", "MacDonald"],
    ),
    "id": (["Budi", "Suharti", "Ayu"], ["", "Santoso", ""]),
    "ja": (
        [("太郎", "Taro"), ("花子", "Hanako"), ("健太", "Kenta"), ("さくら", "Sakura"), ("翔", "Sho")],
        [("田中", "Tanaka"), ("鈴木", "Suzuki"), ("高橋", "Takahashi"), ("渡辺", "Watanabe")],
    ),
    "zh": (
        [("伟", "Wei"), ("娜", "Na"), ("敏", "Min"), ("静", "Jing"), ("思远", "Siyuan"), "Wei", "Xiaoling"],
        [("王", "Wang"), ("李", "Li"), ("张", "Zhang"), ("刘", "Liu"), "Chen", "Zhou"],
    ),
    "ko": (
        [("민준", "Minjun"), ("서연", "Seoyeon"), ("지호", "Jiho"), "Ji-woo"],
        [("김", "Kim"), ("이", "Lee"), ("박", "Park"), "Choi"],
    ),
    "ar": (
        [("محمد", "Mohammed"), ("فاطمة", "Fatima"), ("أحمد", "Ahmed"), "Youssef", "Layla"],
        [("العلي", "Alali"), ("حداد", "Haddad"), "El-Amin", "Al-Farsi"],
    ),
    "ru_ua": (
        [("Дмитрий", "Dmitry"), ("Анна", "Anna"), ("Сергей", "Sergey"), "Oksana", "Mykola"],
        [("Иванов", "Ivanov"), ("Смирнова", "Smirnova"), "Shevchenko", "Kovalenko"],
    ),
    "el": ([("Γιώργος", "Giorgos"), "Eleni"], [("Παπαδόπουλος", "Papadopoulos"), "Konstantinidou"]),
    "he": ([("נועה", "Noa"), "Yonatan"], [("כהן", "Cohen"), "Levi"]),
}

# Which cultures are common among attendees from a country (anyone can come from anywhere, too).
COUNTRY_CULTURES: dict[str, list[str]] = {
    "FR": ["fr", "fr", "ar", "vn"], "BE": ["fr", "nordic"], "CH": ["de", "fr", "it"],
    "DE": ["de", "de", "tr"], "AT": ["de"], "NL": ["nordic", "de"], "GB": ["gb_ie", "in"], "IE": ["gb_ie"],
    "ES": ["iberia_latam"], "PT": ["iberia_latam"], "IT": ["it"], "PL": ["pl"], "CZ": ["cz_hu"],
    "HU": ["cz_hu"], "SE": ["nordic"], "DK": ["nordic"], "NO": ["nordic"], "FI": ["nordic"], "IS": ["nordic"],
    "TR": ["tr"], "GR": ["el"], "IL": ["he"], "AE": ["ar", "in"], "IN": ["in"], "JP": ["ja"], "CN": ["zh"],
    "KR": ["ko"], "SG": ["zh", "in"], "VN": ["vn"], "ID": ["id"], "NG": ["ng_gh"], "UA": ["ru_ua"],
    "US": ["us_ca", "us_ca", "in", "zh", "ko"], "CA": ["us_ca", "fr", "zh"], "MX": ["iberia_latam"],
    "BR": ["iberia_latam"], "AU": ["gb_ie", "zh"],
}  # fmt: skip

CITIES: dict[str, list[str]] = {
    "FR": ["Paris", "Lyon", "Toulouse", "Nantes", "Saint-Étienne"], "BE": ["Bruxelles", "Gent"],
    "CH": ["Zürich", "Genève", "Lausanne"], "DE": ["Berlin", "München", "Köln", "Düsseldorf"],
    "AT": ["Wien", "Graz"], "NL": ["Amsterdam", "Utrecht", "'s-Hertogenbosch"],
    "GB": ["London", "Manchester"], "IE": ["Dublin", "Cork"], "ES": ["Madrid", "Barcelona", "A Coruña"],
    "PT": ["Lisboa", "Porto"], "IT": ["Milano", "Torino", "Bologna"],
    "PL": ["Kraków", "Warszawa", "Wrocław", "Gdańsk"], "CZ": ["Praha", "Brno"], "HU": ["Budapest"],
    "SE": ["Stockholm", "Göteborg", "Malmö"], "DK": ["København", "Aarhus"], "NO": ["Oslo", "Tromsø"],
    "FI": ["Helsinki", "Tampere"], "IS": ["Reykjavík"], "TR": ["İstanbul", "Ankara"],
    "GR": ["Αθήνα", "Thessaloniki"], "IL": ["Tel Aviv"], "AE": ["Dubai"],
    "IN": ["Bengaluru", "Pune", "Hyderabad"], "JP": ["東京", "Osaka"], "CN": ["上海", "Shenzhen"],
    "KR": ["서울", "Seongnam"], "SG": ["Singapore"], "VN": ["Hà Nội"], "ID": ["Jakarta"], "NG": ["Lagos"],
    "UA": ["Київ", "Lviv"],
    "US": ["Seattle", "San Francisco", "Austin", "Salt Lake City", "New York", "Denver", "Raleigh", "Boston"],
    "CA": ["Toronto", "Montréal", "Vancouver"], "MX": ["Ciudad de México"],
    "BR": ["São Paulo", "Florianópolis"], "AU": ["Sydney", "Melbourne"],
}  # fmt: skip

# Attendee countries per event region, with weights.
EVENT_COUNTRIES: dict[str, list[tuple[str, int]]] = {
    "EU": [("FR", 16), ("DE", 14), ("GB", 10), ("NL", 7), ("ES", 5), ("IT", 4), ("PL", 5), ("SE", 3),
           ("DK", 2), ("NO", 2), ("FI", 2), ("CH", 4), ("BE", 3), ("AT", 2), ("PT", 2), ("IE", 2), ("CZ", 2),
           ("HU", 1), ("IS", 1), ("TR", 1), ("GR", 1), ("UA", 1), ("IL", 2), ("AE", 1), ("US", 6), ("IN", 2),
           ("JP", 1), ("KR", 1), ("CN", 1), ("NG", 1)],
    "NA": [("US", 60), ("CA", 9), ("MX", 3), ("BR", 2), ("GB", 3), ("DE", 3), ("FR", 2), ("IN", 4), ("JP", 2),
           ("KR", 2), ("CN", 2), ("SG", 1), ("AU", 2), ("IL", 1), ("VN", 1), ("ID", 1), ("NL", 1), ("PL", 1)],
}  # fmt: skip

# Phone numbers only in ranges reserved for fiction (NANP 555-01xx, Ofcom drama, ARCEP, Berlin 030 23125).
PHONE_FORMATS: dict[str, str] = {
    "US": "+1 ({area}) 555-01{nn}", "CA": "+1 {area}-555-01{nn}", "GB": "+44 7700 900{nnn}",
    "FR": "+33 6 39 98 {nn} {mm}", "DE": "+49 30 23125{nnn}", "AU": "+61 491 570 {nnn}",
}  # fmt: skip

# Job titles as printed on badges, with weights; local-language ones only for attendees from there.
TITLES: list[tuple[str, int]] = [
    ("Software Engineer", 10), ("Senior Software Engineer", 10), ("Staff Software Engineer", 4),
    ("Principal Engineer", 3), ("Platform Engineer", 10), ("Sr. SRE", 5), ("SRE", 6),
    ("Site Reliability Engineer II", 2), ("DevOps Engineer", 8), ("DevOps Lead", 3), ("Head of Platform", 3),
    ("Head of Infrastructure", 2), ("Director of Engineering", 3), ("Engineering Manager", 5), ("VP Eng", 2),
    ("VP Engineering", 1), ("VP of Platform", 1), ("CTO", 2), ("CTO & Co-founder", 1), ("CIO", 1),
    ("CISO", 1), ("Founder", 1), ("Cloud Architect", 5), ("Solutions Architect", 3),
    ("Enterprise Architect", 2), ("Security Engineer", 4), ("AppSec Lead", 1), ("Data Engineer", 3),
    ("ML Engineer", 3), ("MLOps Engineer", 2), ("Product Manager", 3), ("Technical PM", 1),
    ("Developer Advocate", 2), ("Student", 3), ("PhD Student", 1), ("Intern", 1), ("Recruiter", 1),
    ("Consultant", 2), ("Senior Consultant, Cloud Native", 1), ("Journalist", 1), ("Analyst", 1),
    ("Procurement Manager", 1), ("IT Manager", 2), ("", 2),
]  # fmt: skip
_FR_TITLES = ["Directeur technique", "Responsable infrastructure", "Ingénieure DevOps", "Architecte cloud"]
_DE_TITLES = [
    "Leiter IT-Infrastruktur",
    "Softwareentwicklerin",
    "Teamleiter Plattform",
    "Systemadministrator",
]
_ES_TITLES = ["Ingeniero de plataforma", "Jefa de infraestructura"]
_PT_TITLES = ["Engenheira de software", "Gerente de TI"]
LOCAL_TITLES: dict[str, list[str]] = {
    "FR": _FR_TITLES, "BE": _FR_TITLES, "DE": _DE_TITLES, "AT": _DE_TITLES, "CH": _DE_TITLES,
    "ES": _ES_TITLES, "MX": _ES_TITLES, "PT": _PT_TITLES, "BR": _PT_TITLES,
    "IT": ["Responsabile IT", "Sviluppatore software"],
    "PL": ["Kierownik zespołu DevOps", "Inżynier oprogramowania"], "JP": ["インフラエンジニア", "SRE / プラットフォームチーム"],
    "KR": ["플랫폼 엔지니어"], "UA": ["Архітектор рішень"],
}  # fmt: skip

# Fictional attendee employers (name, email domain); spellings vary on badges, see tracker.demo.
COMPANIES: list[tuple[str, str]] = [
    ("Acme", "acme.example"), ("Nordwind Logistics", "nordwind.example"),
    ("Brightmart Retail", "brightmart.example"), ("Orbit Insurance", "orbit-insurance.example"),
    ("Tramline Transit", "tramline.example"), ("Meridian Health Group", "meridianhealth.example"),
    ("Fjordline Travel", "fjordline.example"), ("Kestrel Airlines", "kestrel-air.example"),
    ("Bluefin Payments", "bluefin.example"), ("Saltwater Games", "saltwater.example"),
    ("Pixelhaus Media", "pixelhaus.example"), ("Velo Mobility", "velo.example"),
    ("Granite Bank", "granitebank.example"), ("Hanse Versicherung", "hanse-vers.example"),
    ("Banque Lumière", "banquelumiere.example"), ("Crédit Maritime", "credit-maritime.example"),
    ("Stadtwerke Nordheim", "sw-nordheim.example"), ("Polskie Sieci Danych", "psd.example"),
    ("Telco Iberia", "telco-iberia.example"), ("Alpine Telecom", "alpinetel.example"),
    ("Cobalt Automotive", "cobalt-auto.example"), ("Helios Energy", "helios-energy.example"),
    ("Quantum Freight", "qfreight.example"), ("Riverstone Pharma", "riverstone.example"),
    ("Sakura Systems", "sakura-sys.example"), ("Hanul Telecom", "hanul.example"),
    ("Lotus Fintech", "lotusfin.example"), ("Maple Grocers", "maple.example"),
    ("Prairie Mutual", "prairie.example"), ("Redwood Analytics", "redwood.example"),
    ("Summit Healthcare", "summit-hc.example"), ("Copperline Media", "copperline.example"),
    ("Blue Mesa Software", "bluemesa.example"), ("Wasatch Data", "wasatch.example"),
    ("Great Basin Labs", "greatbasin.example"), ("Atlas Gov Cloud", "atlas-gov.example"), ("Freelance", ""),
    ("Self-employed", ""), ("Stealth startup", ""), ("Globex", "globex.example"),
    ("Initech", "initech.example"), ("Umbrella Logistics", "umbrella.example"),
    ("Hooli Cloud", "hooli.example"), ("Vandelay Imports", "vandelay.example"),
    ("Tyrell Robotics", "tyrell.example"), ("Wonka Confectionery", "wonka.example"),
    ("Stark Manufacturing", "stark-mfg.example"),
]  # fmt: skip

UNIVERSITIES: list[tuple[str, str]] = [
    ("Northbridge University", "northbridge-u.example"),
    ("Technische Universität Nordheim", "tu-nordheim.example"),
    ("Université de Valbonne", "univ-valbonne.example"),
]  # fmt: skip

LEGAL_SUFFIXES: dict[str, str] = {
    "DE": "GmbH", "AT": "GmbH", "CH": "AG", "FR": "SAS", "BE": "SA", "GB": "Ltd", "IE": "Ltd", "NL": "B.V.",
    "SE": "AB", "DK": "A/S", "NO": "AS", "FI": "Oy", "ES": "S.L.", "IT": "S.p.A.", "PL": "sp. z o.o.",
    "US": "Inc.", "CA": "Inc.", "JP": "K.K.", "BR": "Ltda.",
}  # fmt: skip

FREE_MAIL_DOMAINS: list[str] = ["mail.example", "webmail.test", "posteo.example", "inbox.example"]

# Sponsor categories: (offering, the sponsor's own interest chips, the themes it tends to push).
CATEGORIES: dict[str, tuple[str, list[str], list[str]]] = {
    "obs": ("Observability platform for metrics, logs and traces",
            ["OpenTelemetry", "Log pipelines", "Distributed tracing", "SLOs", "Pricing"],
            ["Observability", "Cost reduction / FinOps", "AI"]),
    "sec": ("Supply-chain and runtime security for Kubernetes",
            ["SBOM", "Runtime security", "Policy as code", "Secrets management", "Compliance reports"],
            ["Security", "Platform engineering", "AI"]),
    "plat": ("Internal developer platform and service catalogue",
             ["Backstage plugins", "Golden paths", "Self-service environments", "Scorecards"],
             ["Platform engineering", "Developer experience"]),
    "cicd": ("CI/CD, GitOps and progressive delivery",
             ["GitOps", "Progressive delivery", "Build caching", "Preview environments"],
             ["Platform engineering", "Developer experience", "Security"]),
    "finops": ("Kubernetes cost management and autoscaling",
               ["Rightsizing", "Spot instances", "Showback", "Cost allocation"],
               ["Cost reduction / FinOps", "Sustainability", "Observability"]),
    "ai": ("GPU scheduling and LLM serving on Kubernetes",
           ["GPU sharing", "Model serving", "RAG pipelines", "Fine-tuning", "Inference cost"],
           ["AI", "Cost reduction / FinOps", "Data & storage"]),
    "data": ("Cloud-native databases, backup and storage",
             ["Postgres operator", "Backups", "Object storage", "Multi-region"],
             ["Data & storage", "AI", "Security"]),
    "net": ("Service mesh, eBPF networking and API gateways",
            ["Service mesh", "eBPF", "API gateway", "mTLS", "Gateway API"],
            ["Networking / service mesh", "Security", "Observability"]),
    "wasm": ("WebAssembly runtime for edge and serverless",
             ["Wasm components", "Edge functions", "Cold starts"], ["WebAssembly", "Developer experience"]),
    "devex": ("Remote development environments and inner-loop tooling",
              ["Remote dev envs", "Hot reload", "Local clusters"], ["Developer experience", "AI"]),
    "cloud": ("Managed Kubernetes and cloud infrastructure",
              ["Managed Kubernetes", "Bare metal", "Sovereign cloud", "Migration help"],
              ["Platform engineering", "AI", "Sustainability", "Cost reduction / FinOps"]),
    "consult": ("Cloud-native consulting, training and managed services",
                ["Training", "Platform assessment", "Managed services"],
                ["Platform engineering", "Security"]),
    "enduser": ("End-user company running Kubernetes in production",
                ["Open roles", "Engineering blog", "Case study"], ["Platform engineering", "Sustainability"]),
    "community": ("Open-source community and foundation",
                  ["Contributing", "Maintainers track", "Governance"],
                  ["Developer experience", "WebAssembly", "Sustainability"]),
}  # fmt: skip

# (name, category, tier): a rough pyramid of 4 diamond, 8 platinum, 16 gold, 24 silver, 26 start-up,
# 10 end-user and 12 community sponsors. All names are invented.
SPONSORS: list[tuple[str, str, str]] = [
    ("Northcloud", "cloud", "diamond"), ("Alpenstack", "cloud", "diamond"), ("Lumatrace", "obs", "diamond"),
    ("Sealbright", "sec", "diamond"), ("Cumulo Cloud", "cloud", "platinum"), ("Spanwise", "obs", "platinum"),
    ("Kernelguard", "sec", "platinum"), ("Portalith", "plat", "platinum"), ("Deployrail", "cicd", "platinum"),
    ("Tensorharbor", "ai", "platinum"), ("Meshwright", "net", "platinum"), ("Shardline", "data", "platinum"),
    ("Gravelog", "obs", "gold"), ("Heliograf", "obs", "gold"), ("Provenix", "sec", "gold"),
    ("Bastionly", "sec", "gold"), ("Paveway", "plat", "gold"), ("Rollforge", "cicd", "gold"),
    ("Canarium", "cicd", "gold"), ("Costwise Cloud", "finops", "gold"), ("Inferix", "ai", "gold"),
    ("Modelgrid", "ai", "gold"), ("Quorumdb", "data", "gold"), ("Packetfield", "net", "gold"),
    ("Basaltic", "cloud", "gold"), ("Sovra Cloud", "cloud", "gold"),
    ("Kubecraft Consulting", "consult", "gold"), ("Devloop", "devex", "gold"),
    ("Tracepoint Labs", "obs", "silver"), ("Metricbird", "obs", "silver"), ("Sigstrand", "sec", "silver"),
    ("Threadlock Security", "sec", "silver"), ("Cordon Labs", "sec", "silver"),
    ("Harborlane", "plat", "silver"), ("Backplane HQ", "plat", "silver"), ("Pipewell", "cicd", "silver"),
    ("Flagstone CI", "cicd", "silver"), ("Spotlane", "finops", "silver"), ("Ledgerline", "finops", "silver"),
    ("Gpuly", "ai", "silver"), ("Vectorcove", "ai", "silver"), ("Kelpstore", "data", "silver"),
    ("Tidepool Data", "data", "silver"), ("Gatewise", "net", "silver"), ("Linkmesh", "net", "silver"),
    ("Wasmora", "wasm", "silver"), ("Workbenchly", "devex", "silver"), ("Grid Nine", "cloud", "silver"),
    ("Helmsmen & Co.", "consult", "silver"), ("Cloudwright Partners", "consult", "silver"),
    ("Obsidra", "obs", "silver"), ("Stratoplex", "plat", "silver"), ("Sightline Systems", "obs", "startup"),
    ("Warden Nine", "sec", "startup"), ("Platformcraft", "plat", "startup"),
    ("Golden Path Co.", "plat", "startup"), ("Promotely", "cicd", "startup"),
    ("Releasekit Labs", "cicd", "startup"), ("Penny Pods", "finops", "startup"),
    ("Frugal Nodes", "finops", "startup"), ("Nodebudget", "finops", "startup"),
    ("Promptyard", "ai", "startup"), ("Neuronest", "ai", "startup"), ("Synthbay", "ai", "startup"),
    ("Bucketworks", "data", "startup"), ("Replicant Data", "data", "startup"),
    ("Stateful Labs", "data", "startup"), ("Hopwise", "net", "startup"),
    ("Ciliary Networks", "net", "startup"), ("Spinlet", "wasm", "startup"), ("Moduleport", "wasm", "startup"),
    ("Edgebyte", "wasm", "startup"), ("Inner Loop Labs", "devex", "startup"), ("Hotswap", "devex", "startup"),
    ("Tiltyard", "devex", "startup"), ("Podsmith", "plat", "startup"), ("Quietpager", "obs", "startup"),
    ("Keyfence", "sec", "startup"), ("Brightmart Retail", "enduser", "end_user"),
    ("Fjordline Travel", "enduser", "end_user"), ("Velo Mobility", "enduser", "end_user"),
    ("Orbit Insurance", "enduser", "end_user"), ("Tramline Transit", "enduser", "end_user"),
    ("Meridian Health Group", "enduser", "end_user"), ("Saltwater Games", "enduser", "end_user"),
    ("Pixelhaus Media", "enduser", "end_user"), ("Kestrel Airlines", "enduser", "end_user"),
    ("Bluefin Payments", "enduser", "end_user"), ("Open Mesh Initiative", "community", "community"),
    ("Wasm Commons Foundation", "community", "community"), ("SRE Circle", "community", "community"),
    ("Cloud Native Rust Guild", "community", "community"),
    ("Open Runtime Alliance", "community", "community"), ("Container Commons", "community", "community"),
    ("Green Software Circle", "community", "community"), ("Observability Commons", "community", "community"),
    ("Policy Commons Project", "community", "community"),
    ("Platform Builders e.V.", "community", "community"), ("Kube Newcomers Club", "community", "community"),
    ("Operators Guild", "community", "community"),
]  # fmt: skip

THEMES: list[str] = [
    "AI", "Platform engineering", "Security", "Observability", "Cost reduction / FinOps",
    "Developer experience", "Data & storage", "Networking / service mesh", "WebAssembly", "Sustainability",
]  # fmt: skip

NO_BOOTH_DETAILS: dict[str, list[str]] = {
    "cost": ["Booth build and travel blew the budget; logo-only package this time",
             "Cost per lead last year was around 900; sponsoring a talk slot instead"],
    "not_targeting_region": ["No sales team in {region} yet", "{region} is not a target market until FY25"],
    "past_lead_quality": ["Badge scans last time were mostly students and swag hunters",
                          "Last year's booth leads never turned into pipeline"],
    "other": ["Hosting a side event instead of a booth", "Team at a customer offsite that week",
              "Sponsoring a co-located event only"],
}  # fmt: skip

SCAN_NOTES: list[str] = [
    "Wants pricing for ~200 nodes", "Asked about SOC 2 report and SSO", "Running a PoC next quarter",
    "not interested in SaaS, self-hosted only", "Already a customer (Team plan), wants enterprise features",
    "Works at a competitor", "Student, looking for an internship", "Came for the socks",
    "Great technical questions about multi-cluster", "Budget approved for H2, send a proposal",
    "Evaluating us against two others", "Needs on-prem / air-gapped install",
    "Follow up after KubeCon, busy week",
    "Très intéressée par la démo, rappeler après le 15", "Möchte PoC im Q2, Ansprechpartner: Teamleiter",
    "デモをもう一度見たい、来週連絡", "Хочет цены на enterprise-версию", "Quiere una llamada en español",
    "Migrating 40 clusters off a legacy PaaS", "Asked about GPU sharing, \"cost is killing us\"",
    "Podcast host, wants an interview", "Recruiter, not a buyer", "Maintainer of an upstream project",
]  # fmt: skip

FOLLOW_UP_OUTCOMES: dict[str, list[str]] = {
    "won": ["Signed 12-month enterprise plan", "Closed after a 3-week PoC"],
    "lost": ["Went with the incumbent", "Budget frozen for the year", "Chose an open-source DIY setup"],
    "disqualified": ["Student", "Works at a competitor", "No budget, hobby project", "Already a customer"],
    "no_response": ["Three emails and a LinkedIn message, no reply", "Bounced email, no other contact"],
}  # fmt: skip

EVENTS: list[dict[str, Any]] = [
    {"name": "KubeCon + CloudNativeCon Europe 2024", "slug": "kubecon-eu-2024", "city": "Paris",
     "country": "FR", "region": "EU", "start_date": date(2024, 3, 19), "end_date": date(2024, 3, 22),
     "time_zone": "Europe/Paris", "currency": "EUR", "expected_attendance": 12000, "website": ""},
    {"name": "KubeCon + CloudNativeCon North America 2024", "slug": "kubecon-na-2024",
     "city": "Salt Lake City", "country": "US", "region": "NA", "start_date": date(2024, 11, 12),
     "end_date": date(2024, 11, 15), "time_zone": "America/Denver", "currency": "USD",
     "expected_attendance": 9000, "website": ""},
]  # fmt: skip

_FOLD = str.maketrans({"Ł": "L", "ł": "l", "Ø": "O", "ø": "o", "Æ": "Ae", "æ": "ae", "ß": "ss", "Đ": "D",
                       "đ": "d", "ı": "i", "ð": "d", "Þ": "Th", "þ": "th", "ʻ": ""})  # fmt: skip


def native(name: Name) -> str:
    """The name as printed on the badge."""
    return name[0] if isinstance(name, tuple) else name


def same_script(first: Name, last: Name) -> tuple[Name, Name]:
    """The pair in one script: a native-script name next to a Latin one is given in its romanised form."""
    if isinstance(first, tuple) != isinstance(last, tuple):
        return (first[1] if isinstance(first, tuple) else first), (
            last[1] if isinstance(last, tuple) else last
        )
    return first, last


def ascii_fold(name: Name) -> str:
    """A Latin-only form of a name (romanised or accent-stripped), for emails and usernames."""
    text = name[1] if isinstance(name, tuple) else name.translate(_FOLD)
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def pick(rng: random.Random, weighted: list[tuple[T, int]]) -> T:
    """One value of a (value, weight) list."""
    return rng.choices([value for value, _ in weighted], weights=[weight for _, weight in weighted])[0]


def record(model: str, pk: int, **fields: Any) -> Record:
    """One fixture object; ``model`` without an app label means the tracker app."""
    return {"model": model if "." in model else f"tracker.{model}", "pk": pk, "fields": fields}


def at_local(day: date, seconds: int, tz_name: str) -> datetime:
    """The UTC instant ``seconds`` after local midnight of ``day`` in the time zone ``tz_name``."""
    local = datetime.combine(day, time(0), tzinfo=ZoneInfo(tz_name)) + timedelta(seconds=seconds)
    return local.astimezone(UTC)
