"""A contract type import-linter lacks: the source modules import nothing but the standard library,
their own package and an allow-list of other packages (forms/ imports only WTForms). The built-in
forbidden contract would name what is forbidden; this names what is allowed, so a package added
later is refused too."""

from __future__ import annotations

import sys
from typing import cast

from grimp import ImportGraph
from importlinter.application import output
from importlinter.domain import fields
from importlinter.domain.contract import Contract, ContractCheck
from importlinter.domain.imports import Module


class OnlyImportsContract(Contract):
    type_name = "only_imports"

    source_modules = fields.ListField(subfield=fields.ModuleField())
    allowed_modules = fields.ListField(subfield=fields.ModuleField())

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        # fields are declared on the class and parsed into lists of modules per contract
        allowed = [module.name for module in cast(list[Module], self.allowed_modules)]
        refused: list[tuple[str, str]] = []
        for source in cast(list[Module], self.source_modules):
            for importer in sorted({source.name, *graph.find_descendants(source.name)}):
                for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                    root = imported.split(".")[0]
                    if root in sys.stdlib_module_names or root == source.name.split(".")[0]:
                        continue
                    if not any(imported == a or imported.startswith(a + ".") for a in allowed):
                        refused.append((importer, imported))
        return ContractCheck(kept=not refused, metadata={"refused": refused})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for importer, imported in check.metadata["refused"]:
            output.print_error(f"{importer} imports {imported}, which is not allowed.")
            output.new_line()
