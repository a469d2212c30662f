"""The title rules, as data: what ``normalise_titles`` reads to tell a job title's seniority and function.

Each rule is (id, value, *parts); a part is ("words", fragment) for whole words or phrases, ("starts",
fragment) for words beginning with it, ("inside", fragment) for compounds ("leiter" in
"abteilungsleiter") and ("raw", pattern) for a pattern used as it is (anchored with "^"). Fragments are
regular expressions over the folded, expanded title (lower case, no accents, abbreviations spelt out).
First match wins: order matters.
"""

# Seniority: first match wins, most senior first; specific rules precede the generic ones they override.
SENIORITY_RULES = (
    (
        "founder",
        "founder",
        (
            "words",
            r"(?:co)?(?:founders?|fondat(?:eur|rice)s?|fundador(?:a|es)?|fondatore|oprichter)"
            r"|(?:mit)?(?:be)?grunder(?:in)?",
        ),
    ),
    (
        "owner",
        "founder",
        ("raw", r"^ (?:co )?owners?(?= )"),
        (
            "words",
            r"and (?:co )?owner|owner and|(?:business|company|shop|store|agency|practice|sole|firm) owner"
            r"|inhaber(?:in)?|eigenaar|proprietaire|propietari[oa]",
        ),
    ),
    ("chief-of-staff", "director", ("words", "chief of staff")),
    ("chief", "c_level", ("words", "chief|cxo|c level|c suite")),
    # "Vice President" must never reach the c_level "president" rule.
    ("president", "c_level", ("starts", r"(?<!vice )(?<!vize )(?:president[ea]?|prasident(?:in)?)(?= )")),
    (
        "managing-director",
        "c_level",
        (
            "words",
            r"managing director|gesch(?:a|ae)ftsf(?:u|ue)hr(?:er|erin|ung)"
            r"|direct(?:eur|rice|or|ora) (?:general|generale|ejecutiv[oa])|direttore generale"
            r"|diretora? (?:geral|executiv[oa])|consejer[oa] delegad[oa]|amministratore delegato"
            r"|chair(?:man|woman|person)|(?:chair of the|board) (?:board|chair)|board member"
            r"|(?:managing|general) partner|gerante?",
        ),
        ("starts", "vorstand"),
        ("raw", r"^ (?:senior |equity |founding )?partners? $"),
    ),
    (
        "cto-local",
        "c_level",
        ("words", r"direct(?:eur|rice) techni(?:que|cal)|directora? tecnic[oa]|diret(?:or|tore) tecnico"),
    ),
    (
        "cio-local",
        "c_level",
        ("words", r"direct(?:eur|rice) des systemes d information|directora? de sistemas de informacion"),
    ),
    ("vice-president", "vp", ("words", r"vice ?president[ea]?|vizeprasident(?:in)?")),
    (
        "team-lead-local",
        "manager",
        (
            "words",
            r"(?:team|gruppen|projekt|project|schicht) ?leit(?:er|erin|ung)"
            r"|chef(?:fe)? (?:de|d) (?:projets?|produits?|equipe)|jef[ea] de (?:proyectos?|equipo|producto)",
        ),
    ),
    (
        "director",
        "director",
        (
            "words",
            r"direct(?:or|ora|ors|eur|rice)|dirett(?:ore|rice)|diret(?:or|ora)|direktor(?:in)?|general manager",
        ),
    ),
    (
        "head-of",
        "director",
        ("words", r"head|jef[ea]|jefatura|chef(?:fe)? (?:de|d|du|des)"),
        ("inside", r"leit(?:er|erin|ung)(?= )"),
    ),
    (
        "student",
        "student",
        (
            "words",
            r"student(?! (?:success|affairs|services|recruit\w*|experience|life|support))(?:in)?"
            r"|students|werkstudent(?:in)?|etudiant(?:e)?|estudiante|studente|estudante|interns?|internship"
            r"|praktikant(?:in)?|stagiaire|stagiair|stagista|estagiari[oa]|becari[oa]|practicante|trainee"
            r"|apprentie?|apprentice|alternante?|azubi|auszubildender?|doctorante?|doktorand(?:in)?"
            r"|doctorand[oa]|dottorand[oa]|undergrad(?:uate)?|phd(?: (?:candidate|researcher|fellow))?"
            r"|doctoral (?:student|candidate|researcher)|graduate (?:assistant|researcher)",
        ),
    ),
    (
        "manager",
        "manager",
        ("words", r"managers?|managerin|responsab(?:le|ile)|gerente|supervisor|gestionnaire|product owner"),
        ("inside", r"manager(?= )"),
    ),
    ("lead", "manager", ("starts", r"lead(?:er|ers|s)?(?= )(?! generation| gen | qualification)")),
    (
        "senior",
        "senior_ic",
        ("words", r"senior|principal|distinguished|fellow|arquitect[oa]|experte?|expertin|confirme"),
        ("starts", r"staff (?!accountant|assistant|nurse|member|writer)\w"),
        ("inside", r"archite(?:ct|kt)"),
    ),
    (
        "ic-role",
        "ic",
        (
            "words",
            r"engineers?|engineering|developers?|programmer|scientist|analyst|consultant|specialist"
            r"|administrator|associate|representative|executive|designer|researcher|advocate|evangelist"
            r"|technician|operator|writer|recruiter|accountant|assistant|coordinator|junior|officer|agent"
            r"|editor|lecturer|professor|member of technical staff|hacker|contributor|employee"
            r"|ingenier[oa]|ingegnere|engenheir[oa]|developpeu(?:r|se)|desarrollador(?:a)?|sviluppatore"
            r"|desenvolvedor(?:a)?|ontwikkelaar|programmeur|programador(?:a)?|consultor(?:a)?|analista"
            r"|analyste|administrat(?:eur|ore)|technicien(?:ne)?|collaborat(?:eur|rice)|chargee? d\w*"
            r"|medewerker|freelancer?|contractor|self employed|journalist|reporter|investor|advis[eo]r"
            r"|trainer|instructor|teacher",
        ),
        ("starts", "postdoc"),
        (
            "inside",
            r"(?:ingenieur(?:in|e)?|entwickler(?:in)?|programmierer(?:in)?|berater(?:in)?"
            r"|administrator(?:in)?|techniker(?:in)?|mitarbeiter(?:in)?|referent(?:in)?)(?= )",
        ),
    ),
)

# Function: first match wins; the department-defining words first ("Cloud Sales Specialist" sells).
FUNCTION_RULES = (
    (
        "sales-marketing",
        "sales_marketing",
        (
            "words",
            r"sales|salesperson|marketing|marketer|growth|brand(?:ing)?|communications?|public relations|pr"
            r"|advertising|seo|content marketing|social media|event (?:manager|marketing|coordinator|planner)"
            r"|community manager|partnerships?|alliances?|channel"
            r"|partner (?:manager|marketing|sales|development|success|ecosystem)|revenue|business development"
            r"|business developer|account (?:executive|manager|director|lead)|customer success|presales"
            r"|pre sales|ventes?|ventas|vendas|vendite|commerciale?|comercial|go to market|gtm"
            r"|developer marketing",
        ),
        ("starts", r"demand gen|lead gen|key account|(?:solutions?|customer) engineer|verkauf"),
        ("inside", "vertrieb"),
    ),
    (
        "security",
        "security",
        (
            "words",
            r"security|secops|devsecops|appsec|infosec|securite|seguridad|sicurezza|seguranca|beveiliging"
            r"|penetration|red team|blue team|soc analyst|identity and access|iam|grc|privacy"
            r"|data protection|incident response",
        ),
        ("starts", "cyber|pentest|threat|vulnerabilit|datenschutz"),
        ("inside", "sicherheit"),
    ),
    ("datacenter", "platform", ("words", r"data ?cent(?:er|re)s?"), ("starts", "rechenzentr")),
    (
        "data-ai",
        "data_ai",
        (
            "words",
            r"data|datos|dados|donnees|dati|databases?|big data|analytics?|machine learning|mlops|dataops"
            r"|ai|ki|artificial intelligence|intelligence artificielle|inteligencia artificial"
            r"|kunstliche intelligenz|genai|llms?|nlp|natural language|computer vision|deep learning"
            r"|scientist|bi|business intelligence|etl|insights",
        ),
        ("starts", "statistic"),
        ("inside", r"daten(?= )"),
    ),
    (
        "other-ops",
        "other",
        (
            "words",
            r"(?:business|people|finance|financial|hr|legal|clinical|retail|store|supply chain|marketing)"
            r" operations",
        ),
    ),
    (
        "sre",
        "sre",
        (
            "words",
            r"site reliability|reliability|operations|observability|monitoring|incident|on call|noc|aiops"
            r"|exploitation|operaciones|operacoes|operazioni",
        ),
        ("starts", "production engineer"),
        ("inside", r"betrieb(?= )"),
    ),
    (
        "platform",
        "platform",
        (
            "words",
            r"platforms?|plateformes?|plataformas?|piattaforma|infrastructures?|infraestructura"
            r"|infraestrutura|infrastruttura|devops|gitops|finops|netops|kubernetes|containers?|systems?"
            r"|system administrator|reseaux?|redes|linux|unix|virtuali[sz]ation|storage|datacenter|it|ict|ti"
            r"|information technology|informatique|informatica|informatik|edv|chief information officer"
            r"|systemes d information|sistemas|release|ci cd|build|developer (?:experience|productivity)"
            r"|tooling|middleware|mainframe|servers?|hosting|service desk|help ?desk",
        ),
        ("starts", "network|netzwerk"),
        ("inside", "plattform|infrastruktur|cloud|systemadministrat"),
    ),
    (
        "product",
        "product",
        (
            "starts",
            r"(?:(?:product|produit|producto|prodotto|produto)s?|produkt\w*)(?= )"
            r"(?! (?:security|engineer|develop|support))",
        ),
        ("words", r"ux|ui|user experience|designer|design|product owner"),
        ("starts", "user research"),
    ),
    (
        "other-engineering",
        "other",
        (
            "starts",
            r"(?:mechanical|electrical|civil|chemical|hardware|manufacturing|process|industrial|structural"
            r"|biomedical|aerospace) engineer",
        ),
    ),
    (
        "app-dev",
        "app_dev",
        (
            "words",
            r"software|logiciels?|swe|sde|backend|frontend|fullstack|web|mobile|ios|android|applications?"
            r"|apps?|developers?|development|coder|coding|research and development|quality assurance"
            r"|developer relations|developer advocate|evangelist|scrum master|agile coach|hacker|api|java"
            r"|python|golang|javascript|typescript",
        ),
        ("starts", r"developpe|desarroll|desenvolv|svilupp|ontwikkel|programm|programador|test"),
        ("inside", "entwickl|applikation"),
    ),
    # Generic words ("Engineer", "Technical", "Architect"): app_dev unless a respelt word says better.
    (
        "engineering",
        "app_dev",
        ("words", r"engineering|engineers?|technology|technical|technique|tecnic[oa]|tecnologia"),
        ("starts", r"ingenier|ingegner|engenh|technologie|technisch|arquitect"),
        ("inside", r"ingenieur|archite(?:ct|kt)"),
    ),
)
