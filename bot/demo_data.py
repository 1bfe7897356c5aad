"""The demo programme as plain data: 7 proeftuinen, 12 themes, members and ~90 learnings.

The proeftuinen are fictional resident initiatives; Floor Ziegler and Teun Gautier are the
programme's project leaders. `bot.demo` turns this data into rows; nothing here touches storage.
Texts read the way participants write in their channel: concrete, short, sometimes tagged.
"""

from __future__ import annotations

from typing import NamedTuple

from storage.models import Ring

PLATFORM = "console"
DIGEST_CHANNEL = "kenniskring"  # the kenniskring's own channel: linked to no proeftuin


class DemoProeftuin(NamedTuple):
    key: str
    name: str
    channel: str  # console channel id linked to it


class DemoTheme(NamedTuple):
    slug: str
    name: str
    keywords: str  # comma-separated, lower case


class DemoMember(NamedTuple):
    user_id: str  # console user id
    display_name: str
    proeftuin: str | None  # key of their home proeftuin; None for the project leaders


class DemoLearning(NamedTuple):
    proeftuin: str  # key
    author: str  # user id
    text: str
    themes: tuple[str, ...] = ()  # tagged afterwards, besides the #slugs in the text
    ring: Ring = Ring.KENNISKRING
    named: bool = False  # published (buitenwereld) with the author's name, by their choice


PROEFTUINEN: tuple[DemoProeftuin, ...] = (
    DemoProeftuin("zuiderwijk", "Buurtkamer Zuiderwijk", "proeftuin-zuiderwijk"),
    DemoProeftuin("oostwind", "Energiecoöperatie Oostwind", "proeftuin-oostwind"),
    DemoProeftuin("hooiberg", "Voedseltuin De Hooiberg", "proeftuin-hooiberg"),
    DemoProeftuin("dorpsgoed", "Zorgcoöperatie Dorpsgoed", "proeftuin-dorpsgoed"),
    DemoProeftuin("kroonwijk", "Bewonersbedrijf Kroonwijk", "proeftuin-kroonwijk"),
    DemoProeftuin("hofje", "Wooninitiatief Hofje van Morgen", "proeftuin-hofje"),
    DemoProeftuin("loods", "Buurtwerkplaats De Loods", "proeftuin-de-loods"),
)

THEMES: tuple[DemoTheme, ...] = (
    DemoTheme(
        "financiering",
        "Financiering en fondsen",
        "geld, subsidie, fonds, fondsen, begroting, financiering, inkomsten, crowdfunding, "
        "lening, verdienmodel, businesscase",
    ),
    DemoTheme(
        "samenwerking-gemeente",
        "Samenwerking met de gemeente",
        "gemeente, wethouder, ambtenaar, ambtenaren, beleid, gemeenteraad, aanbesteding, "
        "right to challenge, loket",
    ),
    DemoTheme(
        "vrijwilligers",
        "Vrijwilligers",
        "vrijwilliger, vrijwilligers, vrijwilligersvergoeding, werven, overbelasting, "
        "coördinator, rooster",
    ),
    DemoTheme(
        "eigenaarschap",
        "Eigenaarschap en zeggenschap",
        "eigenaarschap, zeggenschap, leden, ledenvergadering, ledenraad, bestuur, draagvlak, "
        "meebeslissen, inspraak",
    ),
    DemoTheme(
        "impact",
        "Impact en verantwoording",
        "impact, verantwoording, verantwoorden, meten, rapportage, resultaten, effect, "
        "maatschappelijke waarde, monitoring, theory of change",
    ),
    DemoTheme(
        "continuiteit",
        "Continuïteit",
        "continuïteit, continuiteit, structureel, bestendigen, opvolging, overdracht, "
        "overdragen, meerjarig, langjarig",
    ),
    DemoTheme(
        "ruimte",
        "Ruimte en vastgoed",
        "ruimte, gebouw, pand, huur, huurovereenkomst, vastgoed, grond, locatie, erfpacht, "
        "maatschappelijk vastgoed",
    ),
    DemoTheme(
        "regels",
        "Regels en bureaucratie",
        "regels, regelgeving, vergunning, bureaucratie, avg, verzekering, aansprakelijkheid, "
        "statuten, btw, bestemmingsplan",
    ),
    DemoTheme(
        "netwerk",
        "Netwerk en kennisdeling",
        "netwerk, uitwisseling, uitwisselen, kennisdeling, kenniskring, partners, werkbezoek, "
        "samen optrekken",
    ),
    DemoTheme(
        "wonen",
        "Wonen",
        "wonen, woning, woningen, woningcorporatie, corporatie, huurders, wooncoöperatie, cpo, "
        "hofje",
    ),
    DemoTheme(
        "zorg",
        "Zorg en welzijn",
        "zorg, welzijn, wmo, mantelzorg, mantelzorgers, eenzaamheid, ouderen, dagbesteding, "
        "zorgverzekeraar, huisarts",
    ),
    DemoTheme(
        "energie",
        "Energie",
        "energie, zonnepanelen, zonnedak, warmte, warmtepomp, isolatie, energiearmoede, "
        "energiecoach, energiecoaches, postcoderoos, netbeheerder",
    ),
)

MEMBERS: tuple[DemoMember, ...] = (
    DemoMember("floor", "Floor Ziegler", None),
    DemoMember("teun", "Teun Gautier", None),
    DemoMember("amira", "Amira El Idrissi", "zuiderwijk"),
    DemoMember("henk", "Henk Mulder", "zuiderwijk"),
    DemoMember("sanne", "Sanne de Boer", "oostwind"),
    DemoMember("mehmet", "Mehmet Kaya", "oostwind"),
    DemoMember("lotte", "Lotte Visser", "hooiberg"),
    DemoMember("kwame", "Kwame Mensah", "hooiberg"),
    DemoMember("ineke", "Ineke Hoekstra", "dorpsgoed"),
    DemoMember("gerrit", "Gerrit Wiersma", "dorpsgoed"),
    DemoMember("fatima", "Fatima Ouali", "kroonwijk"),
    DemoMember("ruben", "Ruben de Graaf", "kroonwijk"),
    DemoMember("marjolein", "Marjolein Smit", "hofje"),
    DemoMember("daan", "Daan Peeters", "hofje"),
    DemoMember("priya", "Priya Ramdin", "loods"),
    DemoMember("bram", "Bram Jansen", "loods"),
)

P = Ring.PROEFTUIN
B = Ring.BUITENWERELD
L = DemoLearning

LEARNINGS: tuple[DemoLearning, ...] = (
    # Buurtkamer Zuiderwijk
    L(
        "zuiderwijk",
        "amira",
        "De koffieochtend op dinsdag trekt nu vaste bezoekers die eerst alleen kwamen kijken. "
        "Wat hielp: iemand van ons staat bij de deur en vraagt naar hun naam, niet naar hun "
        "'hulpvraag'. #zorg",
    ),
    L(
        "zuiderwijk",
        "henk",
        "Onze huurovereenkomst met de corporatie loopt per jaar. Daardoor durven we niet te "
        "investeren in een nieuwe keuken, en fondsen vragen juist om zekerheid over de locatie."
        " #ruimte #continuiteit",
    ),
    L(
        "zuiderwijk",
        "amira",
        "Bij de gemeente hadden we drie contactpersonen: welzijn, wijkzaken en subsidies. Sinds"
        " we één vast aanspreekpunt hebben afgesproken, krijgen we binnen een week antwoord in "
        "plaats van binnen twee maanden. #samenwerking-gemeente",
        ring=B,
    ),
    L(
        "zuiderwijk",
        "henk",
        "Vrijwilligers haken niet af door het werk, maar door het gevoel dat niemand ziet wat "
        "ze doen. Een verjaardagskaart en een jaarlijks etentje kosten weinig en doen veel.",
        themes=("vrijwilligers",),
    ),
    L(
        "zuiderwijk",
        "amira",
        "Het welzijnswerk wilde onze bezoekersaantallen per maand, uitgesplitst naar leeftijd. "
        "We turven nu op een vel bij de deur; niet perfect, maar het kost geen vrijwilliger "
        "meer een avond per maand. #impact",
    ),
    L(
        "zuiderwijk",
        "henk",
        "Gedoe in het bestuur over de sleutels van de buurtkamer. Het ging eigenlijk over wie "
        "er beslist. We hebben nu een sleutelplan en een vast overleg op de eerste maandag van "
        "de maand.",
        themes=("eigenaarschap",),
        ring=P,
    ),
    L(
        "zuiderwijk",
        "amira",
        "Het taalcafé loopt beter sinds de deelnemers zelf de onderwerpen kiezen. Twee vrouwen "
        "die vorig jaar nog les kregen, leiden nu zelf een tafel. #eigenaarschap",
    ),
    L(
        "zuiderwijk",
        "teun",
        "Gesprek met de buurtkamer en de wijkagent: de buurtkamer geldt als 'vindplaats', maar "
        "er staat geen vergoeding tegenover. Dat patroon zien we bij meer proeftuinen. "
        "#financiering",
    ),
    L(
        "zuiderwijk",
        "henk",
        "Een crowdfunding voor nieuwe stoelen leverde 2.300 euro op, vooral van mensen uit de "
        "straat die zelf nooit binnenkomen. Geven is ook een manier van meedoen.",
        themes=("financiering",),
    ),
    L(
        "zuiderwijk",
        "amira",
        "De AVG-vraag over foto's hebben we simpel opgelost: wie op de foto wil, plakt een "
        "groene sticker op de naamkaart. #regels",
    ),
    L(
        "zuiderwijk",
        "henk",
        "De energiecoaches van Oostwind houden spreekuur in onze buurtkamer. Wij hebben de "
        "mensen, zij de kennis; samen bereiken we huishoudens die geen van beide alleen "
        "bereikt. #netwerk #energie",
    ),
    L(
        "zuiderwijk",
        "amira",
        "Zonder vaste coördinator valt alles terug op twee mensen. We zoeken een betaalde "
        "kracht voor twaalf uur per week, maar geen fonds wil structurele loonkosten betalen.",
        themes=("continuiteit", "financiering"),
    ),
    L(
        "zuiderwijk",
        "henk",
        "Na de zomer kwamen er minder mensen. Niemand weet precies waarom; we gaan het gewoon "
        "vragen, aan de deur, met een kop koffie erbij.",
    ),
    # Energiecoöperatie Oostwind
    L(
        "oostwind",
        "sanne",
        "De netbeheerder heeft ons zonnedak op de sporthal voorlopig afgewezen vanwege "
        "netcongestie. Een batterij zou helpen, maar daarvoor is geen regeling voor "
        "coöperaties. #energie #regels",
    ),
    L(
        "oostwind",
        "mehmet",
        "Energiecoaches aan de keukentafel werken beter dan een informatieavond: bij het eerste"
        " huisbezoek vinden we gemiddeld 180 euro besparing per jaar, vooral met tochtstrips en"
        " de instellingen van de cv-ketel.",
        themes=("energie",),
        ring=B,
        named=True,
    ),
    L(
        "oostwind",
        "sanne",
        "Leden willen wel meebeslissen, maar niet vergaderen. Een online stemming naast de "
        "algemene ledenvergadering verdubbelde het aantal stemmen. #eigenaarschap",
    ),
    L(
        "oostwind",
        "mehmet",
        "Voor de postcoderoos moesten we 120 deelnemers vinden. Flyers deden weinig; het liep "
        "pas toen buren het zelf aan buren vertelden, op het schoolplein en na het "
        "vrijdaggebed.",
        themes=("energie", "netwerk"),
    ),
    L(
        "oostwind",
        "sanne",
        "De gemeente wil ons als partner in de warmtetransitie, maar behandelt ons in de "
        "aanbesteding als elke andere marktpartij. Dat wringt: wij zijn van de bewoners, niet "
        "van aandeelhouders. #samenwerking-gemeente #energie",
    ),
    L(
        "oostwind",
        "mehmet",
        "Onze penningmeester stopt na zes jaar. Niemand wil het overnemen zolang de boekhouding"
        " in zijn hoofd en in één Excelbestand zit. Eerst overdraagbaar maken, dan pas werven. "
        "#continuiteit #vrijwilligers",
    ),
    L(
        "oostwind",
        "sanne",
        "Banken vragen voor een lening een garantstelling die een coöperatie van bewoners niet "
        "kan geven. Het provinciale energiefonds kan dat wel, maar de aanvraag kostte ons vier "
        "maanden. #financiering",
    ),
    L(
        "oostwind",
        "mehmet",
        "Energiearmoede is onzichtbaar, mensen schamen zich. We vragen niet meer 'heeft u "
        "moeite met de rekening?', maar 'zal ik even meekijken of het voordeliger kan?'",
        themes=("energie", "zorg"),
    ),
    L(
        "oostwind",
        "sanne",
        "Impact meten is bij ons makkelijk: kilowatturen en euro's. Maar fondsen vragen ook "
        "naar sociale samenhang, en daar hebben we geen getal voor. Wie heeft een bruikbare "
        "vragenlijst? #impact",
    ),
    L(
        "oostwind",
        "mehmet",
        "Onenigheid met een lid over de verdeling van de opbrengst. Juridisch klopt het, maar "
        "het voelt oneerlijk. We nemen het mee naar de ledenvergadering.",
        themes=("eigenaarschap",),
        ring=P,
    ),
    L(
        "oostwind",
        "sanne",
        "De btw-aangifte van de coöperatie bleek ingewikkelder dan gedacht. Een boekhouder van "
        "Zorgcoöperatie Dorpsgoed hielp ons kosteloos; kennis delen tussen proeftuinen scheelt "
        "echt geld. #regels #netwerk",
    ),
    L(
        "oostwind",
        "mehmet",
        "Isolatieacties werken het best per straat: als drie buren meedoen, volgt de rest. We "
        "plannen nu per blok in plaats van per wijk.",
        themes=("energie",),
    ),
    L(
        "oostwind",
        "sanne",
        "Ons verhaal landt bij de wethouder beter met één bewoner die vertelt dan met tien "
        "dia's. Volgende keer neemt een lid het woord dat nu 40 euro per maand minder betaalt.",
        themes=("samenwerking-gemeente", "impact"),
    ),
    # Voedseltuin De Hooiberg
    L(
        "hooiberg",
        "lotte",
        "We mogen de grond van de gemeente gebruiken met een gebruiksovereenkomst die elk jaar "
        "opzegbaar is. Fruitbomen planten voelt daardoor als een gok. #ruimte "
        "#samenwerking-gemeente",
    ),
    L(
        "hooiberg",
        "kwame",
        "Deze week 60 kilo courgettes en bonen naar de voedselbank gebracht. Mensen die er "
        "groente ophalen, vragen nu of ze ook mogen komen oogsten; dat willen we mogelijk "
        "maken.",
        themes=("impact",),
        ring=B,
    ),
    L(
        "hooiberg",
        "lotte",
        "Vrijwilligers komen vooral in het voorjaar; in augustus, als er geoogst moet worden, "
        "is iedereen weg. Een oogstrooster met vaste koppels werkt beter dan een open oproep. "
        "#vrijwilligers",
    ),
    L(
        "hooiberg",
        "kwame",
        "Jongeren van de praktijkschool werken twee ochtenden per week mee. De school ziet het "
        "als stage, wij als hulp, de jongeren als 'buiten zijn'. Alle drie kloppen, en dat "
        "maakt het stevig.",
        themes=("netwerk",),
    ),
    L(
        "hooiberg",
        "lotte",
        "Een fonds wilde alleen de nieuwe kas betalen, niet het onderhoud erna. Iets nieuws is "
        "makkelijk te financieren, doorgaan is het moeilijkst. #financiering #continuiteit",
        ring=B,
    ),
    L(
        "hooiberg",
        "kwame",
        "De regels voor het uitdelen van zelfgemaakte soep zijn strenger dan voor rauwe "
        "groente. We delen nu alleen verse producten uit en koken samen ter plekke. #regels",
    ),
    L(
        "hooiberg",
        "lotte",
        "We verkopen jam en kruiden op de markt. Het levert niet veel op, maar mensen zien ons "
        "nu anders: niet als goed doel, maar als tuin met eigen producten.",
        themes=("financiering",),
    ),
    L(
        "hooiberg",
        "kwame",
        "Iemand heeft 's nachts de tomaten vernield. In de groepsapp ging het al snel over "
        "camera's; we kozen voor een open dag voor de straat. Sindsdien kijken de buren mee.",
        ring=P,
    ),
    L(
        "hooiberg",
        "lotte",
        "Wie bepaalt wat er geplant wordt? We hebben nu een tuinraad van vijf mensen die elk "
        "seizoen wisselt, met steeds minstens één nieuwe deelnemer. #eigenaarschap",
    ),
    L(
        "hooiberg",
        "kwame",
        "De huisarts verwijst nu mensen met sombere klachten naar de tuin, 'groen op recept'. "
        "Een vergoeding is er nog niet; we tellen alvast hoeveel mensen via de praktijk komen. "
        "#zorg #impact",
    ),
    L(
        "hooiberg",
        "lotte",
        "Water is ons grootste probleem: de gemeente betaalt geen aansluiting op ons stuk grond"
        " en wij mogen er niets bouwen. Nu vangen we regenwater op in tonnen van de bouwmarkt.",
        themes=("ruimte", "regels"),
    ),
    L(
        "hooiberg",
        "kwame",
        "Bij het uitwisselingsbezoek aan de Buurtkamer zagen we hoe zij hun bezoekers tellen. "
        "Simpel en goed genoeg; we nemen het over. #netwerk #impact",
    ),
    L(
        "hooiberg",
        "lotte",
        "Tip voor wie grond zoekt: vraag de woningcorporatie naar braakliggende stukken tussen "
        "de flats. Daar lag bij ons meer ruimte dan bij de gemeente.",
        themes=("ruimte",),
    ),
    # Zorgcoöperatie Dorpsgoed
    L(
        "dorpsgoed",
        "ineke",
        "De zorgcoöperatie heeft nu 340 leden in een dorp van 2.100 inwoners. Leden betalen 25 "
        "euro per jaar; dat is geen verdienmodel, maar het maakt wel duidelijk van wie we zijn."
        " #eigenaarschap #zorg",
        ring=B,
    ),
    L(
        "dorpsgoed",
        "gerrit",
        "Het contract voor dagbesteding met de gemeente geldt voor één jaar. Voor een vaste "
        "kracht heb je minstens drie jaar zekerheid nodig. We stellen een meerjarige afspraak "
        "voor met een jaarlijkse evaluatie. #continuiteit #samenwerking-gemeente",
    ),
    L(
        "dorpsgoed",
        "ineke",
        "Mantelzorgers vragen niet om hulp, ze vragen om even niet alleen te staan met de zorg."
        " Een vaste koffietafel op woensdag werkt beter dan een loket. #zorg",
    ),
    L(
        "dorpsgoed",
        "gerrit",
        "De zorgverzekeraar wil best meedenken over preventie, maar pas als we laten zien wat "
        "het oplevert. Wie heeft ervaring met een maatschappelijke kosten-batenanalyse? #impact"
        " #financiering",
    ),
    L(
        "dorpsgoed",
        "ineke",
        "Onze vrijwillige chauffeurs rijden ouderen naar het ziekenhuis. De verzekering voor "
        "inzittenden bleek niet geregeld; dat loopt nu via de vrijwilligersverzekering van de "
        "gemeente. #regels #vrijwilligers",
    ),
    L(
        "dorpsgoed",
        "gerrit",
        "De gemeente stuurt mensen met een Wmo-aanvraag naar ons door, maar de indicatie komt "
        "pas na zes weken. In de tussentijd helpen we ze gewoon, zonder vergoeding.",
        themes=("zorg", "samenwerking-gemeente"),
        ring=P,
    ),
    L(
        "dorpsgoed",
        "ineke",
        "De huisarts en de wijkverpleegkundige zitten nu één keer per maand bij ons aan tafel. "
        "Dat overleg levert meer op dan alle convenanten samen.",
        themes=("zorg", "netwerk"),
    ),
    L(
        "dorpsgoed",
        "gerrit",
        "Het bestuur vergrijst: de jongste is 67. Voor de opvolging lopen nu twee jongere leden"
        " mee met de bestuursvergadering, zonder verplichtingen. #continuiteit",
    ),
    L(
        "dorpsgoed",
        "ineke",
        "Eenzaamheid meet je niet met een vragenlijst aan de deur. We houden nu bij hoe vaak "
        "mensen zelf een activiteit voorstellen; dat zegt ons meer. #impact",
    ),
    L(
        "dorpsgoed",
        "gerrit",
        "We hebben de statuten aangepast zodat ook mantelzorgers van buiten het dorp lid kunnen"
        " worden. De notaris rekende 900 euro; een regeling voor kleine verenigingen was er "
        "niet.",
        themes=("regels",),
    ),
    L(
        "dorpsgoed",
        "ineke",
        "Het gesprek met de wethouder ging over geld, maar het liep pas goed toen we het over "
        "één bewoner hadden (met haar toestemming). Verhalen openen deuren die cijfers niet "
        "openen. #samenwerking-gemeente",
    ),
    L(
        "dorpsgoed",
        "gerrit",
        "Het dorpshuis wordt verkocht. Als wij het niet kopen, verliezen we onze dagbesteding. "
        "We onderzoeken een coöperatieve aankoop met leden als mede-eigenaar.",
        themes=("ruimte", "eigenaarschap"),
        ring=P,
    ),
    L(
        "dorpsgoed",
        "floor",
        "Terugkoppeling van het werkbezoek: Dorpsgoed heeft wat veel initiatieven missen, een "
        "ledenbasis die zelf meebetaalt. Dat is een sterk argument richting gemeente en "
        "fondsen. #eigenaarschap #financiering",
    ),
    # Bewonersbedrijf Kroonwijk
    L(
        "kroonwijk",
        "fatima",
        "Het bewonersbedrijf heeft het groenonderhoud van drie pleinen overgenomen van de "
        "aannemer. Zes buurtbewoners hebben nu een betaalde baan en de pleinen zijn schoner dan"
        " ooit. #impact",
        ring=B,
    ),
    L(
        "kroonwijk",
        "ruben",
        "Via Right to Challenge kregen we het groenonderhoud, maar de aanbesteding vroeg om een"
        " omzet die een startend bewonersbedrijf niet heeft. Een uitzondering kwam pas na "
        "vragen uit de gemeenteraad. #samenwerking-gemeente #regels",
    ),
    L(
        "kroonwijk",
        "fatima",
        "Mensen met een uitkering willen graag meewerken, maar bijverdienen wordt gekort. We "
        "werken nu met een vrijwilligersvergoeding binnen de grens en een traject naar een "
        "echte baan. #regels #vrijwilligers",
    ),
    L(
        "kroonwijk",
        "ruben",
        "Het oude schoolgebouw krijgen we voor een symbolisch bedrag in erfpacht, maar het "
        "onderhoud is voor ons. De eerste offerte voor het dak: 85.000 euro. #ruimte "
        "#financiering",
    ),
    L(
        "kroonwijk",
        "fatima",
        "Ons grootste risico is dat alles aan mij hangt. We schrijven nu elke werkwijze op in "
        "een 'buurtbedrijfboek', zodat een ander het morgen kan overnemen. #continuiteit",
    ),
    L(
        "kroonwijk",
        "ruben",
        "Een fonds vroeg om een theory of change. We hebben die samen met de buurtwerkers "
        "getekend op een groot vel papier; dat vel hangt nu in de kantine en wordt echt "
        "gebruikt.",
        themes=("impact",),
    ),
    L(
        "kroonwijk",
        "fatima",
        "De schoonmaakopdrachten dekken nu 60 procent van onze kosten. Fondsen zien dat als "
        "teken van gezondheid, de gemeente als reden om de subsidie te verlagen. #financiering "
        "#samenwerking-gemeente",
    ),
    L(
        "kroonwijk",
        "ruben",
        "Tussen twee ploegleiders botert het niet. We hebben via de kenniskring een mediator "
        "gevonden; het gesprek staat voor volgende week.",
        ring=P,
    ),
    L(
        "kroonwijk",
        "fatima",
        "Bewoners die eerst klant waren, zitten nu in de ledenraad. Een van hen stelde voor om "
        "de buurt zelf te laten kiezen welk plein als eerste wordt aangepakt. #eigenaarschap",
    ),
    L(
        "kroonwijk",
        "ruben",
        "Samen met Buurtwerkplaats De Loods leiden we jongeren op voor onderhoudswerk. Zij "
        "hebben de werkplaats, wij de opdrachten. #netwerk",
    ),
    L(
        "kroonwijk",
        "fatima",
        "De woningcorporatie wil ons inhuren voor huismeestertaken. Mooi, maar dan worden we "
        "afhankelijk van één opdrachtgever; we houden het op hooguit een derde van onze omzet. "
        "#wonen #continuiteit",
    ),
    L(
        "kroonwijk",
        "ruben",
        "Verantwoorden aan vier financiers met vier verschillende formats kost ons een maand "
        "per jaar. Kunnen de fondsen in SAMEN niet één gezamenlijk format afspreken? #impact "
        "#financiering",
    ),
    L(
        "kroonwijk",
        "fatima",
        "Bij de opening van het buurtrestaurant kwamen ook ambtenaren die we alleen van de mail"
        " kenden. Elkaar in het echt zien maakt het volgende overleg een stuk makkelijker.",
        themes=("samenwerking-gemeente",),
    ),
    # Wooninitiatief Hofje van Morgen
    L(
        "hofje",
        "marjolein",
        "We willen een hofje bouwen voor ouderen en jongeren samen. De gemeente rekent een "
        "grondprijs voor de vrije sector; met een sociale grondprijs wordt het betaalbaar. "
        "#wonen #samenwerking-gemeente",
    ),
    L(
        "hofje",
        "daan",
        "Een wooncoöperatie heeft voor de bank geen geschiedenis en geen onderpand. Een "
        "landelijk fonds kan voorfinancieren, maar de wachtlijst is lang. #financiering #wonen",
    ),
    L(
        "hofje",
        "marjolein",
        "Zeven van de twaalf toekomstige bewoners zijn boven de zeventig. Zij willen weten wie "
        "er voor hen zorgt als het slechter gaat. We praten nu met Dorpsgoed over hun aanpak. "
        "#zorg #netwerk",
    ),
    L(
        "hofje",
        "daan",
        "Het bestemmingsplan staat op deze plek alleen grondgebonden woningen toe. De wijziging"
        " duurt minstens een jaar; intussen haakten twee gezinnen af. #regels #wonen",
    ),
    L(
        "hofje",
        "marjolein",
        "Samen ontwerpen met de architect kostte drie keer zo veel avonden als gepland, maar "
        "iedereen kent nu elke muur. Niemand heeft nog bezwaar tegen de gedeelde tuin.",
        themes=("eigenaarschap",),
        ring=B,
    ),
    L(
        "hofje",
        "daan",
        "Op de informatieavond kwamen veertig mensen. We lieten niet meteen een lijst tekenen, "
        "maar planden een tweede avond; daarvan zijn er twaalf gebleven, en die blijven. "
        "#eigenaarschap",
    ),
    L(
        "hofje",
        "marjolein",
        "De corporatie wil meedoen als we een deel sociale huur opnemen. Dat maakt het risico "
        "kleiner, maar de zeggenschap ingewikkelder. #wonen #eigenaarschap",
    ),
    L(
        "hofje",
        "daan",
        "Twee deelnemers zijn het oneens over de verdeling van de bergingen. Klein punt, grote "
        "emotie; we spreken een vaste procedure af voor dit soort keuzes.",
        ring=P,
    ),
    L(
        "hofje",
        "marjolein",
        "Bij de gemeente volgt nu één vaste ambtenaar wonen ons traject. We hoeven niet meer "
        "bij elk nieuw loket ons verhaal opnieuw te vertellen. #samenwerking-gemeente",
    ),
    L(
        "hofje",
        "daan",
        "Het hofje wordt zuiniger dan de norm, met warmtepompen en zonnepanelen via "
        "Energiecoöperatie Oostwind. Dat scheelt woonlasten, en de bewoners worden meteen lid. "
        "#energie #wonen",
    ),
    L(
        "hofje",
        "marjolein",
        "De notaris, de bank en de gemeente wilden elk andere statuten zien. We zijn uitgegaan "
        "van het model van een bestaande wooncoöperatie; dat scheelde maanden. #regels #netwerk",
    ),
    L(
        "hofje",
        "daan",
        "Een lening uit de starterslening van de gemeente mag niet naar een coöperatie, alleen "
        "naar individuele kopers. Dat duwt ons richting koop, terwijl we juist huur willen.",
        themes=("financiering", "regels", "wonen"),
    ),
    L(
        "hofje",
        "teun",
        "Wat het hofje laat zien: wonen is geen los thema, het hangt vast aan zorg, energie en "
        "grondbeleid. Goed om het zo in de kenniskring te bespreken.",
        themes=("wonen", "netwerk"),
    ),
    # Buurtwerkplaats De Loods
    L(
        "loods",
        "priya",
        "Het repaircafé repareert nu zo'n 40 apparaten per maand. Wat we niet hadden verwacht: "
        "de helft van de bezoekers komt vooral om te praten. #impact",
        ring=B,
        named=True,
    ),
    L(
        "loods",
        "bram",
        "Voor de houtwerkplaats moesten we een risico-inventarisatie laten maken. Een "
        "vrijwilliger van Bewonersbedrijf Kroonwijk deed het gratis; anders waren we 1.500 euro"
        " kwijt geweest. #regels #netwerk",
    ),
    L(
        "loods",
        "priya",
        "Jongeren die hier komen klussen, blijven pas als ze iets mee naar huis mogen nemen dat"
        " ze zelf gemaakt hebben. Eerst een krukje, daarna een kast.",
    ),
    L(
        "loods",
        "bram",
        "De loods is van een projectontwikkelaar die over drie jaar wil bouwen. Tot die tijd "
        "mogen we erin, maar investeren in nieuwe elektra is daardoor lastig. #ruimte "
        "#continuiteit",
    ),
    L(
        "loods",
        "priya",
        "De gemeente betaalt ons per deelnemer aan een re-integratietraject. Uren registreren "
        "kost meer tijd dan het begeleiden zelf. #samenwerking-gemeente #impact",
    ),
    L(
        "loods",
        "bram",
        "Gereedschap lenen via een deelkast werkt alleen als iemand de kast bijhoudt. Eerst "
        "verdween de helft; nu tekent een vrijwilliger alles uit en in. #vrijwilligers",
    ),
    L(
        "loods",
        "priya",
        "De werkplaats is nu twee avonden per week open voor vrouwen uit de buurt. Er komen "
        "vrouwen die nog nooit een boormachine hadden vastgehouden en nu zelf hun plinten "
        "zetten.",
        ring=B,
    ),
    L(
        "loods",
        "bram",
        "Een fonds wil ons betalen voor een nieuw project, maar niet voor de huur van de loods "
        "waar alles gebeurt. In de begroting heet het nu 'projectkosten ruimte'. #financiering "
        "#ruimte",
    ),
    L(
        "loods",
        "priya",
        "Een vrijwilliger heeft zich bezeerd aan de zaagtafel. Niet ernstig, maar er is nu een "
        "vaste instructie en niemand werkt meer alleen met de machines.",
        themes=("regels", "vrijwilligers"),
        ring=P,
    ),
    L(
        "loods",
        "bram",
        "De energiecoaches van Oostwind en onze klussers plaatsen samen tochtstrips bij "
        "ouderen. Zij weten waar, wij weten hoe. #energie #netwerk",
    ),
    L(
        "loods",
        "priya",
        "We willen dat de buurt mede-eigenaar wordt van de werkplaats. Eerste stap: een "
        "klankbordgroep van vaste bezoekers die meebeslist over de openingstijden. "
        "#eigenaarschap",
    ),
    L(
        "loods",
        "bram",
        "Tweedehands materiaal van sloopprojecten is goedkoop, maar ophalen kost een busje en "
        "een middag. We delen nu een busje met de voedseltuin.",
        themes=("netwerk",),
    ),
    L(
        "loods",
        "priya",
        "Onze oprichter verhuist volgend jaar. We gebruiken dit jaar om alles over te dragen "
        "aan drie mensen in plaats van één. #continuiteit #vrijwilligers",
    ),
    L(
        "loods",
        "floor",
        "Na de ronde langs alle proeftuinen: bijna iedereen loopt aan tegen tijdelijke huur of "
        "tijdelijke grond. Ruimte lijkt een randvoorwaarde, maar bepaalt wat een initiatief "
        "durft. #ruimte #continuiteit",
    ),
)
