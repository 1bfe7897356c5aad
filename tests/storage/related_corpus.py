"""The corpus of related learnings (issue 17, item 1): topics of learnings that say something
alike, written in the programme's words, Dutch and English. Two learnings of one topic are
alike; two of different topics are not, and `HARD` lists pairs of different topics that share
words on purpose (the same municipality, volunteers or money, about something else)."""

from __future__ import annotations

from itertools import combinations

TOPICS: dict[str, tuple[str, ...]] = {
    "contactpersoon": (
        "Een vaste contactpersoon bij de gemeente scheelt ons weken wachten op antwoord.",
        "Sinds we één vast aanspreekpunt bij de gemeente hebben, krijgen we binnen een week "
        "antwoord in plaats van wachten op drie contactpersonen.",
        "Met een eigen contactpersoon op het gemeentehuis hoeven we niet meer weken te wachten.",
    ),
    "vrijwilligers-taken": (
        "Vrijwilligers blijven langer als ze zelf hun taken mogen kiezen.",
        "Wie als vrijwilliger zelf een taak kiest, blijft veel langer betrokken.",
        "Onze vrijwilligers haken af als we taken opleggen; laten kiezen houdt ze langer vast.",
    ),
    "subsidie-verantwoording": (
        "De verantwoording van een kleine subsidie kost meer uren dan de subsidie oplevert.",
        "Voor een subsidie van duizend euro schreven we een verantwoording van twintig "
        "pagina's: de uren kosten meer dan de subsidie.",
        "Kleine subsidies met zware verantwoording: de administratie kost ons meer uren dan "
        "het bedrag.",
    ),
    "zonnepanelen-dak": (
        "Zonnepanelen op het dak van het buurthuis verlagen de energierekening flink.",
        "Het buurthuis kreeg zonnepanelen op het dak; de energierekening daalde met een derde.",
        "Dankzij zonnepanelen op ons dak is de energierekening van het dorpshuis gehalveerd.",
    ),
    "moestuin-kinderen": (
        "Kinderen uit de wijk komen na school naar de moestuin om te zaaien en te oogsten.",
        "De moestuin trekt kinderen na school: ze zaaien, wieden en oogsten zelf.",
        "Na school oogsten de kinderen groente in onze moestuin en nemen die mee naar huis.",
    ),
    "huurders-woning": (
        "Huurders doen mee als de woning en het onderhoud centraal staan, niet de vergadering.",
        "Over onderhoud van hun woning komen huurders wel, over beleid vergaderen niet.",
        "Huurders betrekken lukt pas als het over onderhoud aan de eigen woning gaat.",
    ),
    "fonds-meerjarig": (
        "Een fonds dat meerjarig financiert geeft ons rust om te bouwen aan de organisatie.",
        "Meerjarige financiering van het fonds betekent dat we niet elk jaar opnieuw hoeven "
        "te schrijven en kunnen bouwen.",
        "Dankzij meerjarige steun van een fonds bouwen we aan de organisatie in plaats van "
        "aanvragen te schrijven.",
    ),
    "ouderen-eenzaamheid": (
        "Eenzaamheid onder ouderen neemt af als buren een wekelijkse koffieochtend organiseren.",
        "Een koffieochtend in de buurt doorbreekt de eenzaamheid van oudere buren.",
        "Oudere bewoners voelen zich minder eenzaam sinds de wekelijkse koffieochtend.",
    ),
    "repaircafe": (
        "In het repaircafé repareren vrijwilligers fietsen en lampen, en bezoekers leren het zelf.",
        "Bezoekers van ons repaircafé leren zelf hun fietsen en lampen repareren.",
        "Het repaircafé draait: elke maand repareren we fietsen, lampen en broodroosters.",
    ),
    "raadsvraag": (
        "Een raadsvraag van een raadslid opent meer deuren bij de gemeente dan drie mails.",
        "Toen een raadslid een raadsvraag stelde, ging de deur bij de gemeente eindelijk open.",
        "Via een raadslid en een raadsvraag kwam er beweging bij de gemeente, na maanden mailen.",
    ),
    "energiecoach": (
        "Energiecoaches aan de keukentafel helpen bewoners besparen op gas en stroom.",
        "Een energiecoach die thuis langskomt aan de keukentafel laat bewoners gas besparen.",
        "Met energiecoaches aan de keukentafel besparen huishoudens gemiddeld tien procent gas.",
    ),
    "maatschappelijk-vastgoed": (
        "Het leegstaande schoolgebouw huren we voor een symbolisch bedrag van de gemeente.",
        "Een leegstaand schoolgebouw kregen we van de gemeente voor een symbolische huur.",
        "We huren sinds dit jaar een leeg schoolgebouw tegen symbolische huur.",
    ),
    "zorgcooperatie": (
        "De zorgcoöperatie in het dorp regelt hulp bij het huishouden door dorpsgenoten.",
        "Dorpsgenoten helpen elkaar in het huishouden via onze zorgcoöperatie.",
        "Onze zorgcoöperatie koppelt dorpsgenoten die hulp in het huishouden vragen en bieden.",
    ),
    "voedselbank": (
        "Overgebleven groente van de markt gaat naar de voedseluitgifte in de wijk.",
        "We halen overgebleven groente op bij de markt voor de voedseluitgifte.",
        "De voedseluitgifte krijgt elke zaterdag overgebleven groente van marktkramen.",
    ),
    "communicatie-whatsapp": (
        "Een buurtapp in WhatsApp bereikt meer bewoners dan onze nieuwsbrief.",
        "Via de WhatsApp-groep van de buurt bereiken we meer bewoners dan met een nieuwsbrief.",
        "De nieuwsbrief lezen weinig bewoners; de buurtapp op WhatsApp bereikt iedereen.",
    ),
    "volunteers-en": (
        "Volunteers stay longer when they choose their own tasks.",
        "Letting volunteers choose tasks themselves keeps them involved much longer.",
        "Our volunteers drop out when tasks are assigned; choosing their own tasks keeps them.",
    ),
    "funding-en": (
        "Multi-year funding from a foundation lets us build the organisation instead of "
        "writing applications.",
        "Because the foundation funds us for several years, we build the organisation rather "
        "than writing applications every year.",
        "Foundation funding over multiple years gives the organisation room to build.",
    ),
    "municipality-en": (
        "A single contact person at the municipality saves weeks of waiting for answers.",
        "Since the municipality gave us one contact person, we no longer wait weeks for answers.",
        "Waiting weeks for the municipality ended when we got a dedicated contact person.",
    ),
    "solar-en": (
        "Solar panels on the community centre roof cut the energy bill by a third.",
        "The energy bill of our community centre dropped after solar panels went on the roof.",
        "Solar panels on the roof halved the energy bill of the village hall.",
    ),
    "garden-en": (
        "Children from the neighbourhood come to the vegetable garden after school to harvest.",
        "After school the children harvest vegetables in the community garden.",
        "The vegetable garden draws children after school to sow and harvest.",
    ),
    "jongeren": (
        "Jongeren komen naar het buurthuis als ze zelf de muziek en de avond mogen regelen.",
        "Sinds jongeren zelf de avond in het buurthuis regelen, inclusief de muziek, komen ze.",
        "De jongerenavond in het buurthuis loopt sinds de jongeren zelf de muziek kiezen.",
    ),
    "verzekering": (
        "Vrijwilligers zijn verzekerd via de vrijwilligersverzekering van de gemeente.",
        "De gemeente heeft een vrijwilligersverzekering; onze vrijwilligers vallen eronder.",
        "Check de vrijwilligersverzekering van de gemeente: daar vallen vrijwilligers onder.",
    ),
}

# Pairs of different topics that share words (gemeente, vrijwilligers, subsidie, buurthuis,
# bewoners, school, fonds, wachten, kinderen, energie): a suggestion here would be wrong.
HARD: tuple[tuple[tuple[str, int], tuple[str, int]], ...] = (
    (("contactpersoon", 0), ("raadsvraag", 0)),
    (("contactpersoon", 1), ("raadsvraag", 2)),
    (("contactpersoon", 0), ("maatschappelijk-vastgoed", 0)),
    (("contactpersoon", 2), ("verzekering", 1)),
    (("vrijwilligers-taken", 0), ("verzekering", 0)),
    (("vrijwilligers-taken", 1), ("verzekering", 2)),
    (("vrijwilligers-taken", 2), ("repaircafe", 0)),
    (("subsidie-verantwoording", 0), ("fonds-meerjarig", 0)),
    (("subsidie-verantwoording", 1), ("fonds-meerjarig", 1)),
    (("zonnepanelen-dak", 0), ("energiecoach", 0)),
    (("zonnepanelen-dak", 1), ("jongeren", 0)),
    (("zonnepanelen-dak", 2), ("energiecoach", 2)),
    (("moestuin-kinderen", 0), ("jongeren", 0)),
    (("moestuin-kinderen", 1), ("maatschappelijk-vastgoed", 1)),
    (("moestuin-kinderen", 2), ("voedselbank", 0)),
    (("huurders-woning", 0), ("communicatie-whatsapp", 0)),
    (("huurders-woning", 1), ("energiecoach", 1)),
    (("fonds-meerjarig", 2), ("zorgcooperatie", 0)),
    (("ouderen-eenzaamheid", 0), ("zorgcooperatie", 1)),
    (("ouderen-eenzaamheid", 2), ("communicatie-whatsapp", 1)),
    (("repaircafe", 1), ("energiecoach", 0)),
    (("raadsvraag", 1), ("verzekering", 1)),
    (("voedselbank", 1), ("moestuin-kinderen", 2)),
    (("communicatie-whatsapp", 2), ("huurders-woning", 2)),
    (("volunteers-en", 0), ("funding-en", 0)),
    (("funding-en", 2), ("solar-en", 0)),
    (("municipality-en", 0), ("funding-en", 1)),
    (("solar-en", 1), ("garden-en", 1)),
    (("garden-en", 0), ("solar-en", 2)),
    (("volunteers-en", 1), ("municipality-en", 1)),
    (("jongeren", 1), ("ouderen-eenzaamheid", 1)),
    (("zorgcooperatie", 2), ("ouderen-eenzaamheid", 0)),
)

# Written as pairs: different points in the same words (not alike), and the same point in
# other words (alike, though they share little).
NOT_ALIKE_TEXTS: tuple[tuple[str, str], ...] = (
    (
        "Vrijwilligers van de gemeente helpen bewoners met hun belastingaangifte.",
        "De gemeente wil de vrijwilligers in het buurthuis niet langer betalen.",
    ),
    (
        "De subsidie voor het buurthuis is verlengd tot 2028.",
        "In het buurthuis schreven bewoners samen een subsidieaanvraag voor een speeltuin.",
    ),
    (
        "Kinderen uit groep acht gaven de wethouder een rondleiding door de wijk.",
        "De wethouder kwam kijken hoe kinderen de wijk schoonmaken.",
    ),
    (
        "Het fonds wil dat we de resultaten meten met een vragenlijst.",
        "Bewoners vulden de vragenlijst in over de resultaten van het fonds voor de speeltuin.",
    ),
    (
        "De energiecoöperatie zoekt een penningmeester met verstand van energie.",
        "Energie besparen in de energiecoöperatie begint bij de ledenvergadering.",
    ),
    (
        "Our volunteers need a key to the building on Sundays.",
        "The building manager asked volunteers to stop using the kitchen.",
    ),
    (
        "The municipality cut funding for the youth club.",
        "Funding for the municipality's own youth workers was doubled.",
    ),
    (
        "Zonnepanelen op scholen leveren stroom voor de hele wijk.",
        "Scholen in de wijk willen les geven over zonnepanelen.",
    ),
    (
        "De woningcorporatie renoveert de flat; huurders krijgen een wisselwoning.",
        "Huurders van de flat richtten een bewonerscommissie op tegen de woningcorporatie.",
    ),
    (
        "Een raadslid bezocht de moestuin en beloofde water.",
        "Het raadslid vroeg waarom de moestuin geen water krijgt van de gemeente.",
    ),
    (
        "Ouderen in het dorp willen digitale les over de bank-app.",
        "De bank sloot het kantoor in het dorp; ouderen missen de pinautomaat.",
    ),
    (
        "We vergaderen elke maand met het fonds over de begroting.",
        "De begroting van het fonds voor volgend jaar is gehalveerd.",
    ),
    (
        "Children organised a market to sell vegetables from the garden.",
        "The garden market closed because children were no longer allowed to sell.",
    ),
    (
        "De buurtapp meldt inbraken in de straat.",
        "Na de inbraken in de straat stopte de buurtapp met meldingen van bewoners.",
    ),
    (
        "Het repaircafé zoekt een nieuwe ruimte nu de school sloopt.",
        "De school wil een repaircafé voor leerlingen in de eigen ruimte.",
    ),
    (
        "De zorgcoöperatie betaalt dorpsgenoten een kleine vergoeding voor hulp.",
        "Dorpsgenoten vragen de zorgcoöperatie om hulp bij de vergoeding van de zorgverzekeraar.",
    ),
)
ALIKE_TEXTS: tuple[tuple[str, str], ...] = (
    (
        "Mensen doen pas mee als je ze persoonlijk uitnodigt, niet via een flyer.",
        "Een flyer werkt niet; persoonlijk aanbellen en uitnodigen wel.",
    ),
    (
        "Een wethouder die zelf langskomt maakt meer los dan tien brieven.",
        "Toen de wethouder zelf kwam kijken, gebeurde er meer dan na al onze brieven.",
    ),
    (
        "Ask residents what they want before writing the plan.",
        "Write the plan only after asking residents what they want.",
    ),
    (
        "Koffie en iets lekkers op tafel trekt meer bewoners naar een bijeenkomst.",
        "Met koffie en iets lekkers erbij komen bewoners wel naar de bijeenkomst.",
    ),
    (
        "De gemeente betaalt pas als we resultaten laten zien, maar zonder geld geen resultaten.",
        "Zonder geld geen resultaten, en zonder resultaten betaalt de gemeente niet: een kip-ei.",
    ),
    (
        "Een vaste avond per week houdt de groep bij elkaar.",
        "Doordat we elke week op dezelfde avond samenkomen, blijft de groep bij elkaar.",
    ),
)


def alike_pairs() -> list[tuple[tuple[str, int], tuple[str, int]]]:
    """Every pair within a topic."""
    return [
        ((topic, i), (topic, j))
        for topic, texts in TOPICS.items()
        for i, j in combinations(range(len(texts)), 2)
    ]


def text_of(key: tuple[str, int]) -> str:
    return TOPICS[key[0]][key[1]]
