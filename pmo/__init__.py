"""The ``pmo`` command line: the scripting face of process_registry and mining."""

__all__: list[str] = []
