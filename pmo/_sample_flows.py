"""How the cases of each sample process run: the paths of the registered models, with the shares,
times, bottleneck and deviations that ``event_logs/SOURCES.md`` documents.

Activity names are exactly the task names of the models in ``bpmn_models/``; the called
sub-process "Gebühren festsetzen und Zahlung überwachen" appears through its own task names, as the
registry inlines call activities. Names not in any model are listed in ``Sample.unmodelled``.
Waits are calendar time (the case lies in a tray or waits for the citizen), work is office time.
"""

from __future__ import annotations

import datetime as dt

from pmo._sample_cases import Case, Sample, days, hours, minutes

__all__ = ["SAMPLES"]

# System steps: short and uniform (the RPA candidates). Checks: long, with a long tail.
_SYSTEM = minutes(0.6, 1.1, 1.8, tail=0)
_SEND = minutes(1, 2, 5)
_SOON = hours(0.05, 0.3, 2)  # the same clerk goes on with the case
_KASSE = "Stadtkasse – Zahlungsverkehr"
_ONLINE = "Online"


def _fee(c: Case, unit: str, *, payment: tuple[float, float, float], exempt: float) -> None:
    """The inlined sub-process gebuehren-erheben: compute, notice, booking, payment, reminder."""
    c.do("Gebühr berechnen", unit, _SOON, _SYSTEM)
    if c.chance(exempt):
        c.do("Gebührenbefreiung dokumentieren", unit, _SOON, minutes(3, 6, 15))
        return
    c.do("Gebührenbescheid erstellen", unit, _SOON, minutes(3, 5, 12))
    c.do("Gebührenbescheid versenden", unit, _SOON, _SEND)
    c.do("Sollstellung buchen", _KASSE, hours(2, 20, 60), _SYSTEM)
    if c.chance(0.04):  # the payment deadline passes: reminder, then payment
        c.do("Mahnung versenden", _KASSE, days(28, 31, 36), _SEND)
        c.do("Zahlungseingang nach Mahnung überwachen", _KASSE, days(4, 9, 20), minutes(1, 2, 4))
    else:
        c.do("Zahlungseingang überwachen", _KASSE, days(*payment), minutes(1, 2, 4))
    c.do("Zahlung verbuchen", _KASSE, hours(0.5, 4, 24), _SYSTEM)
    c.do("Zahlungseingang an Fachdienst melden", _KASSE, _SOON, _SYSTEM)


def _paper(c: Case) -> bool:
    """Paper and e-mail: the form must be scanned or typed in (a media break)."""
    return c.channel != _ONLINE


def anwohnerparkausweis(c: Case) -> None:
    sb = "Fachdienst Straßenverkehr – Sachbearbeitung"
    if _paper(c):  # e-mailed forms are printed and scanned with the paper mail
        c.do("Papierantrag scannen", "Bürgerservice", days(0.2, 1, 3), minutes(3, 6, 14))
    c.parallel(
        lambda b: b.do("Meldedaten abfragen", sb, hours(0.1, 2, 30), _SYSTEM),
        lambda b: b.do("Fahrzeughalterdaten abfragen", sb, hours(0.1, 2, 30), _SYSTEM),
    )
    c.do("Antrag prüfen", sb, days(0.5, 2, 6), minutes(6, 12, 45))
    if c.chance(0.03):
        c.do("Telefonische Rückfrage", sb, hours(0.1, 2, 24), minutes(5, 10, 25))
    if c.chance(0.07):
        c.do("Ablehnungsbescheid erstellen", sb, hours(1, 20, 72), minutes(15, 25, 60))
        c.do("Ablehnungsbescheid versenden", sb, _SOON, _SEND)
        return
    paid = (5, 12, 25) if _paper(c) else (0.1, 0.8, 3)  # transfer, or e-payment when online
    _fee(c, sb, payment=paid, exempt=0.04)
    # Bottleneck: permits are printed on security paper once a week, on Thursdays.
    batch = c.next_weekday(3, after=dt.timedelta(days=2 + 7 * c.chance(0.35)))
    c.at("Parkausweis ausstellen", sb, batch, minutes(2, 4, 8))
    steps = ["Daten ins Fachverfahren übertragen", "Parkausweis versenden"]
    if c.chance(0.03):
        steps.reverse()  # sent before the data were transferred
    if c.chance(0.04):
        steps.remove("Daten ins Fachverfahren übertragen")  # forgotten
    for step in steps:
        c.do(step, sb, _SOON, _SYSTEM if "Daten" in step else _SEND)


def wohngeld(c: Case) -> None:
    sb, lead = "Wohngeldstelle – Sachbearbeitung", "Wohngeldstelle – Teamleitung"
    if _paper(c):
        c.do(
            "Papierantrag scannen",
            "Bürgerservice – Posteingang",
            days(0.2, 1, 4),
            minutes(4, 8, 18),
        )
    c.do("Antrag im Fachverfahren anlegen", sb, hours(1, 8, 48), _SYSTEM)
    # Bottleneck: a backlog of several weeks before a clerk first looks at the application.
    wait, incomplete = days(6, 18, 45), 0.45
    while True:
        c.do("Antrag prüfen", sb, wait, minutes(25, 50, 150))
        if c.chance(0.03):
            c.do("Telefonische Rückfrage", sb, hours(0.5, 4, 48), minutes(5, 12, 30))
        if not c.chance(incomplete):
            break
        c.do("Unterlagen nachfordern", sb, _SOON, minutes(5, 8, 15))
        if c.chance(0.1):  # nothing came within the deadline (§ 66 SGB I)
            c.do("Versagungsbescheid erstellen", sb, days(30, 33, 40), minutes(15, 25, 50))
            c.do("Versagungsbescheid versenden", sb, _SOON, _SEND)
            return
        c.do("Nachgereichte Unterlagen entgegennehmen", sb, days(4, 14, 30), minutes(2, 4, 8))
        wait, incomplete = days(1, 4, 12), 0.15
    c.do("Wohngeld berechnen", sb, _SOON, _SYSTEM)
    if c.chance(0.15):
        c.do("Ablehnungsbescheid erstellen", sb, hours(0.5, 6, 48), minutes(15, 25, 50))
        c.do("Ablehnungsbescheid versenden", sb, _SOON, _SEND)
        return
    c.do("Bewilligungsbescheid erstellen", sb, hours(0.2, 3, 24), minutes(10, 18, 40))
    if not c.chance(0.03):  # the four-eyes release is skipped now and then
        c.do("Bescheid freigeben", lead, days(0.5, 1.5, 5), minutes(3, 6, 15))
    steps = ["Zahlung anweisen", "Bewilligungsbescheid versenden"]
    if c.chance(0.02):
        steps.reverse()
    for step in steps:
        c.do(step, sb, _SOON, _SYSTEM if "Zahlung" in step else _SEND)


def gewerbeanmeldung(c: Case) -> None:
    sb = "Gewerbemeldestelle – Sachbearbeitung"
    typed = minutes(6, 10, 20) if _paper(c) else _SYSTEM  # paper forms are typed in
    c.do(
        "Anzeige ins Fachverfahren übernehmen",
        "Gewerbemeldestelle – Servicepoint",
        hours(0.2, 3, 30),
        typed,
    )
    c.do("Gewerbeanzeige prüfen", sb, days(0.5, 1.5, 5), minutes(8, 15, 45))
    while c.chance(0.2):
        c.do("Angaben beim Anzeigenden klären", sb, hours(0.5, 4, 24), minutes(10, 15, 40))
        c.do("Gewerbeanzeige prüfen", sb, days(2, 5, 14), minutes(5, 10, 25))
    if c.chance(0.15):
        if c.chance(0.2):
            c.do("Auskunft aus dem Gewerbezentralregister anfordern", sb, _SOON, minutes(5, 8, 15))
        c.do("Gewerbeerlaubnis prüfen", "Gewerbeerlaubnisse", days(2, 5, 12), minutes(20, 35, 90))
    # Bottleneck: the receipt waits for the fee, paid by transfer (§ 15 GewO asks for 3 days).
    _fee(c, sb, payment=(4, 12, 28), exempt=0.05)
    if c.chance(0.04):
        c.do("Gewerbeanzeige prüfen", sb, _SOON, minutes(3, 6, 12))  # checked again, out of order
    c.do("Empfangsbescheinigung erstellen", sb, hours(1, 6, 48), minutes(3, 6, 12))
    c.do("Empfangsbescheinigung versenden", sb, _SOON, _SEND)
    branches = [
        lambda b: b.do("Daten ins Gewerberegister übertragen", sb, _SOON, _SYSTEM),
        # Nightly transfer to the receiving offices, logged when the batch runs next morning.
        lambda b: b.do(
            "Gewerbeanzeige an Empfangsstellen übermitteln", sb, hours(14, 16, 20), _SYSTEM
        ),
    ]
    if c.chance(0.03):
        branches.pop()  # transfer failed and was not repeated
    c.parallel(*branches)


def baugenehmigung(c: Case) -> None:
    sb, head = "Bauaufsicht – Sachbearbeitung", "Bauaufsicht – Sachgebietsleitung"
    c.do(
        "Bauantrag im Fachverfahren registrieren",
        sb,
        hours(0.2, 3, 30),
        minutes(1.5, 2.2, 3.2, tail=0),
    )
    wait, incomplete = days(1, 4, 10), 0.3
    while True:
        c.do("Bauantrag auf Vollständigkeit prüfen", sb, wait, minutes(30, 60, 180))
        if not c.chance(incomplete):
            break
        c.do("Bauvorlagen nachfordern", sb, _SOON, minutes(10, 15, 30))
        if c.chance(0.06):  # deadline for the missing documents passed (Art. 65 Abs. 2 BayBO)
            c.do("Rücknahmefiktion mitteilen", sb, days(30, 32, 38), minutes(10, 15, 25))
            return
        c.do("Nachgereichte Bauvorlagen entgegennehmen", sb, days(4, 10, 25), minutes(3, 5, 10))
        wait, incomplete = days(1, 3, 7), 0.1
    c.do("Eingang des vollständigen Bauantrags bestätigen", sb, hours(1, 20, 72), minutes(5, 8, 15))
    # Bottleneck: the urban-planning statement takes weeks; fire safety answers sooner.
    branches = [
        lambda b: b.do(
            "Planungsrechtliche Stellungnahme abgeben",
            "Fachdienst Stadtplanung",
            days(10, 20, 45),
            minutes(60, 120, 300),
        ),
        lambda b: b.do(
            "Brandschutztechnische Stellungnahme abgeben",
            "Brandschutzdienststelle",
            days(2, 5, 12),
            minutes(30, 60, 180),
        ),
    ]
    if c.chance(0.03):
        branches.pop()  # fire safety not asked
    joined = c.parallel(*branches)
    if c.chance(0.05):
        c.do("Ortsbesichtigung durchführen", sb, days(1, 4, 10), minutes(60, 120, 240))
    start = c.office.snap(c.t + dt.timedelta(seconds=c.draw(days(2, 6, 20))))
    c.at("Bauvorhaben prüfen", sb, start, minutes(120, 240, 720))
    checked = c.t
    # Non-interrupting timer: 14 days before the Genehmigungsfiktion, counted from receipt.
    warning = c.office.snap(max(c.start + dt.timedelta(days=76), joined))
    if warning < checked:
        c.at("Fristgefährdung eskalieren", head, warning, minutes(10, 20, 40))
        c.t = checked
    if c.chance(0.12):
        c.do("Ablehnungsbescheid erstellen", sb, days(1, 3, 10), minutes(60, 120, 240))
        c.do("Ablehnungsbescheid zustellen", sb, _SOON, _SEND)
        return
    c.do("Baugenehmigung erstellen", sb, days(0.5, 2, 7), minutes(30, 60, 150))
    if c.chance(0.03):  # served before the fee was settled
        c.do("Baugenehmigung zustellen", sb, _SOON, _SEND)
        _fee(c, sb, payment=(1, 3, 10), exempt=0.03)
        return
    _fee(c, sb, payment=(1, 3, 10), exempt=0.03)
    c.do("Baugenehmigung zustellen", sb, hours(0.5, 4, 24), _SEND)


def hundesteuer(c: Case) -> None:
    tax = "Steueramt – Hundesteuer"
    if _paper(c):
        c.do("Papieranmeldung scannen", "Bürgerservice", days(0.2, 1, 4), minutes(3, 6, 12))
    if not c.chance(0.03):  # case created without the check
        c.do("Anmeldung prüfen", tax, days(0.5, 3, 9), minutes(5, 10, 30))
    if c.chance(0.03):
        c.do("Telefonische Rückfrage", tax, hours(0.5, 4, 24), minutes(5, 10, 20))
    if c.chance(0.2):
        c.do("Nachweis für Steuervergünstigung prüfen", tax, hours(0.1, 2, 48), minutes(10, 20, 45))
    c.do("Steuerfall im Fachverfahren anlegen", tax, _SOON, minutes(1.5, 2.2, 3, tail=0))
    c.do("Hundesteuer berechnen", tax, _SOON, _SYSTEM)
    # Bottleneck: tax notices are produced in a batch run on the 1st and 15th of each month.
    day = c.t.date() + dt.timedelta(days=1)
    while day.day not in (1, 15):
        day += dt.timedelta(days=1)
    batch = c.office.snap(dt.datetime.combine(day, dt.time(6)))
    if c.chance(0.02):  # badge sent before the notice was made
        c.do("Hundesteuermarke versenden", tax, _SOON, minutes(2, 4, 8))
        c.at("Steuerbescheid erstellen", tax, batch, minutes(2, 4, 10))
        c.do("Steuerbescheid versenden", tax, _SOON, _SEND)
    else:
        c.at("Steuerbescheid erstellen", tax, batch, minutes(2, 4, 10))
        c.parallel(
            lambda b: b.do("Steuerbescheid versenden", tax, _SOON, _SEND),
            lambda b: b.do("Hundesteuermarke versenden", tax, hours(0.1, 3, 30), minutes(2, 4, 8)),
        )
    c.do("Sollstellung buchen", "Stadtkasse", hours(2, 20, 60), _SYSTEM)


def meldebescheinigung(c: Case) -> None:
    front, back = "Bürgerbüro – Front Office", "Bürgerbüro – Back Office"
    online = c.channel == _ONLINE
    if online:
        c.do("eID-Nachweis prüfen", front, hours(0, 0.5, 6), minutes(0.4, 0.6, 1, tail=0))
        # Bottleneck: online requests wait in the clerks' in-tray; no end-to-end automation.
        c.do("Melderegister abfragen", front, days(0.3, 1.5, 5), _SYSTEM)
    else:
        c.do("Identität am Schalter prüfen", front, minutes(0, 1, 5), minutes(1, 2, 5))
        c.do("Melderegister abfragen", front, minutes(0, 0.3, 1), _SYSTEM)
    if c.chance(0.012):
        c.do("Ablehnungsschreiben erstellen", back, days(0.5, 2, 6), minutes(10, 15, 30))
        c.do("Ablehnungsschreiben versenden", back, _SOON, _SEND)
        return
    if c.chance(0.25):
        c.do("Erweiterte Meldebescheinigung erstellen", front, minutes(0, 1, 10), minutes(3, 5, 12))
    else:
        c.do("Einfache Meldebescheinigung erstellen", front, minutes(0, 0.3, 1), _SYSTEM)
    if c.chance(0.02):
        c.do("Bescheinigung nachdrucken", front, minutes(0, 1, 3), minutes(1, 1.5, 3))
    pay = online or not c.chance(0.02)  # else waived at the counter without booking
    late = pay and not online and c.chance(0.02)  # cashed only after handing it out
    if pay and not late:
        c.do("Gebühr vereinnahmen", front, minutes(0, 0.5, 2), minutes(0.5, 1.5, 3))
    if online != c.chance(0.04):  # a few change their mind about the delivery
        c.do(
            "Meldebescheinigung ins Postfach zustellen",
            front,
            minutes(0, 1, 10),
            minutes(0.3, 0.5, 1, tail=0),
        )
    else:
        c.do("Meldebescheinigung aushändigen", front, minutes(0, 0.5, 2), minutes(0.5, 1, 2))
    if late:
        c.do("Gebühr vereinnahmen", front, minutes(0, 0.5, 2), minutes(0.5, 1.5, 3))


def sondernutzungserlaubnis(c: Case) -> None:
    sn = "Straßenverwaltung – Sondernutzungen"
    if _paper(c):
        c.do("Antragsdaten manuell erfassen", sn, days(0.2, 1.5, 5), minutes(8, 14, 30))
    c.do("Antrag prüfen", sn, days(0.5, 2, 7), minutes(10, 20, 60))
    # Bottleneck: the traffic authority's statement takes one to three weeks.
    c.parallel(
        lambda b: b.do(
            "Verkehrsrechtliche Stellungnahme abgeben",
            "Straßenverkehrsbehörde",
            days(4, 11, 25),
            minutes(15, 25, 60),
        ),
        lambda b: b.do(
            "Belegungskonflikte prüfen", "Baustellenkoordination", hours(1, 12, 60), _SYSTEM
        ),
    )
    if c.chance(0.05):
        c.do("Ortsbesichtigung durchführen", sn, days(1, 3, 8), minutes(30, 60, 120))
    c.do("Stellungnahmen auswerten", sn, days(0.5, 2, 6), minutes(5, 12, 30))
    if c.chance(0.07):
        c.do("Ablehnungsbescheid erstellen", sn, hours(1, 24, 96), minutes(20, 35, 70))
        c.do("Ablehnungsbescheid versenden", sn, _SOON, _SEND)
        return
    c.do("Sondernutzungsgebühr berechnen", sn, _SOON, _SYSTEM)
    c.do("Erlaubnisbescheid erstellen", sn, hours(0.1, 2, 24), minutes(10, 18, 40))
    steps = ["Sondernutzung im Straßeninformationssystem erfassen", "Erlaubnisbescheid versenden"]
    if c.chance(0.03):
        steps.reverse()
    if c.chance(0.04):
        steps.remove("Sondernutzung im Straßeninformationssystem erfassen")
    for step in steps:
        c.do(step, sn, _SOON, _SYSTEM if "erfassen" in step else _SEND)


# Paper shares follow the OZG maturity: level 2 mostly paper and e-mail, level 3 less, the
# level-4 Meldebescheinigung has no paper path at all (online or at the counter).
SAMPLES = (
    Sample(
        key="anwohnerparkausweis",
        prefix="BPA",
        months=3,
        channels=(("Online", 0.68), ("Papier", 0.24), ("E-Mail", 0.08)),
        flow=anwohnerparkausweis,
        bottleneck=("Zahlungseingang an Fachdienst melden", "Parkausweis ausstellen"),
        unmodelled=("Telefonische Rückfrage",),
    ),
    Sample(
        key="wohngeld",
        prefix="WG",
        months=4,
        channels=(("Online", 0.5), ("Papier", 0.42), ("E-Mail", 0.08)),
        flow=wohngeld,
        bottleneck=("Antrag im Fachverfahren anlegen", "Antrag prüfen"),
        unmodelled=("Telefonische Rückfrage",),
    ),
    Sample(
        key="gewerbeanmeldung",
        prefix="GA",
        months=6,
        channels=(("Online", 0.72), ("Papier", 0.2), ("E-Mail", 0.08)),
        flow=gewerbeanmeldung,
        bottleneck=("Sollstellung buchen", "Zahlungseingang überwachen"),
        unmodelled=("Auskunft aus dem Gewerbezentralregister anfordern",),
    ),
    Sample(
        key="baugenehmigung",
        prefix="BA",
        months=6,
        channels=(("Online", 0.55), ("Papier", 0.45)),
        flow=baugenehmigung,
        bottleneck=(
            "Brandschutztechnische Stellungnahme abgeben",
            "Planungsrechtliche Stellungnahme abgeben",
        ),
        unmodelled=("Ortsbesichtigung durchführen",),
    ),
    Sample(
        key="hundesteuer-anmeldung",
        prefix="HST",
        months=6,
        channels=(("Online", 0.3), ("Papier", 0.58), ("E-Mail", 0.12)),
        flow=hundesteuer,
        bottleneck=("Hundesteuer berechnen", "Steuerbescheid erstellen"),
        unmodelled=("Telefonische Rückfrage",),
    ),
    Sample(
        key="meldebescheinigung",
        prefix="MB",
        months=3,
        channels=(("Online", 0.42), ("Schalter", 0.58)),
        flow=meldebescheinigung,
        bottleneck=("eID-Nachweis prüfen", "Melderegister abfragen"),
        unmodelled=("Bescheinigung nachdrucken",),
    ),
    Sample(
        key="sondernutzungserlaubnis",
        prefix="SN",
        months=6,
        channels=(("Online", 0.34), ("Papier", 0.36), ("E-Mail", 0.3)),
        flow=sondernutzungserlaubnis,
        bottleneck=("Belegungskonflikte prüfen", "Verkehrsrechtliche Stellungnahme abgeben"),
        unmodelled=("Ortsbesichtigung durchführen",),
    ),
)
