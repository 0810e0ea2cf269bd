"""Prozessregister: the catalogue of the city's services, with filters and a process detail view."""

import pandas as pd
import streamlit as st

from app_pages._shared import registry
from process_registry import RegistryError

st.title("Prozessregister")
st.caption("Verwaltungsleistungen der Stadt als versionierte BPMN-2.0-Modelle mit Katalogdaten.")

try:
    reg = registry()
    processes = reg.list_processes()
except RegistryError as err:
    st.error(str(err))
    st.stop()

if not processes:
    st.info("Das Register ist noch leer. `pmo demo` lädt die Beispielmodelle.")
    st.stop()

catalogue = pd.DataFrame(
    {
        "Schlüssel": [p.key for p in processes],
        "Leistung": [p.name for p in processes],
        "Fachdienst": [p.department for p in processes],
        "Status": [p.status for p in processes],
        "OZG-Reifegrad": [
            f"{p.ozg_maturity_level} / {p.ozg_maturity_scale}"
            if p.ozg_maturity_level is not None
            else "–"
            for p in processes
        ],
        "LeiKa": [p.leika_key or "–" for p in processes],
        "Versionen": [p.versions for p in processes],
        "Schlagworte": [", ".join(p.tags) for p in processes],
    }
)

left, middle, right = st.columns(3)
departments = left.multiselect(
    "Fachdienst",
    sorted(catalogue["Fachdienst"].unique()),
    key="registry_departments",
    placeholder="alle Fachdienste",
)
statuses = middle.multiselect(
    "Status", sorted(catalogue["Status"].unique()), key="registry_status", placeholder="alle"
)
search = right.text_input("Suche", key="registry_search", placeholder="Name, Schlüssel, Schlagwort")

shown = catalogue
if departments:
    shown = shown[shown["Fachdienst"].isin(departments)]
if statuses:
    shown = shown[shown["Status"].isin(statuses)]
if search:
    needle = search.casefold()
    haystack = shown["Leistung"] + " " + shown["Schlüssel"] + " " + shown["Schlagworte"]
    shown = shown[haystack.str.casefold().str.contains(needle, regex=False)]

m1, m2, m3 = st.columns(3)
m1.metric("Prozesse", len(catalogue))
m2.metric("Fachdienste", catalogue["Fachdienst"].nunique())
m3.metric("Fachlich freigegeben", int((catalogue["Status"] == "fachlich freigegeben").sum()))

st.dataframe(shown, hide_index=True, width="stretch")

key = st.selectbox(
    "Prozess ansehen",
    shown["Schlüssel"],
    key="registry_selected",
    format_func=lambda k: f"{catalogue.set_index('Schlüssel').at[k, 'Leistung']} ({k})",
)
if key:
    try:
        record = reg.get_process(key)
        findings = reg.lint_process(key)
    except RegistryError as err:
        st.error(str(err))
        st.stop()
    st.subheader(record.name)
    details = {
        "Fachdienst": record.department,
        "Verantwortlich": record.owner,
        "Status": record.status,
        "LeiKa-/FIM-Schlüssel": record.leika_key,
        "OZG-Leistung": record.ozg_service,
        "Rechtsgrundlage": record.legal_basis,
        "Fälle pro Jahr": record.annual_case_volume,
        "Gesetzliche Frist (Tage)": record.legal_deadline_days,
        "Wiedervorlage": record.resubmission_date,
    }
    st.table(
        pd.DataFrame(
            {"Feld": list(details), "Wert": [str(v) if v else "–" for v in details.values()]}
        )
    )
    st.markdown("**Versionen**")
    st.dataframe(
        pd.DataFrame(
            {
                "Version": [v.number for v in record.versions],
                "Erstellt": [v.created_at for v in record.versions],
                "Autor/in": [v.author for v in record.versions],
                "Kommentar": [v.comment or "" for v in record.versions],
                "SHA-256": [v.sha256[:16] for v in record.versions],
            }
        ),
        hide_index=True,
    )
    st.markdown(f"**Modellprüfung** ({len(findings)} Befunde)")
    if findings:
        st.dataframe(
            pd.DataFrame(
                {
                    "Regel": [f.rule for f in findings],
                    "Element": [f.element for f in findings],
                    "Schwere": [f.severity for f in findings],
                    "Hinweis": [f.message for f in findings],
                }
            ),
            hide_index=True,
        )
