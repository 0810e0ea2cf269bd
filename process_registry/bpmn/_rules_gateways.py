"""bpmnlint rules about gateways (ports of bpmn-io/bpmnlint ``rules/*.js``)."""

from __future__ import annotations

from collections.abc import Iterator

from ._index import LintIndex, Report


def no_gateway_join_fork(ix: LintIndex) -> Iterator[Report]:
    for node in ix.doc.gateways:
        if len(ix.ins(node)) > 1 and len(ix.outs(node)) > 1:
            yield Report(node.id, "Das Gateway führt zusammen und verzweigt zugleich.")


def superfluous_gateway(ix: LintIndex) -> Iterator[Report]:
    for node in ix.doc.gateways:
        if len(ix.ins(node)) == 1 and len(ix.outs(node)) == 1:
            yield Report(
                node.id,
                "Das Gateway ist überflüssig: es hat nur einen eingehenden und einen "
                "ausgehenden Sequenzfluss.",
            )


def no_complex_gateway(ix: LintIndex) -> Iterator[Report]:
    for node in ix.doc.gateways:
        if node.type == "complexGateway":
            yield Report(node.id, "Komplexe Gateways werden nicht empfohlen.")


def no_inclusive_gateway(ix: LintIndex) -> Iterator[Report]:
    for node in ix.doc.gateways:
        if node.type == "inclusiveGateway":
            yield Report(
                node.id,
                "Inklusive Gateways (ODER) werden nicht empfohlen; sie machen das Modell schwer "
                "lesbar.",
            )


def event_based_gateway(ix: LintIndex) -> Iterator[Report]:
    for node in ix.doc.gateways:
        if node.type != "eventBasedGateway":
            continue
        outgoing = ix.outs(node)
        if len(outgoing) < 2:
            yield Report(
                node.id,
                "Ein ereignisbasiertes Gateway braucht mindestens zwei ausgehende Sequenzflüsse.",
            )
        for flow in outgoing:
            if flow.has_condition:
                yield Report(
                    flow.id,
                    "Ein Sequenzfluss nach einem ereignisbasierten Gateway darf keine Bedingung "
                    "haben.",
                )
