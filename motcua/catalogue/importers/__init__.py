"""Importers of the national procedure catalogue (see docs/catalogue.md).

``parsing`` understands the flattened texts of one record (pure functions, no database), ``national``
reads records from ``.jsonl``/``.jsonl.gz`` files and folders, ``xlsx`` reads the portal's procedure lists,
and ``runner`` writes them into the catalogue, one transaction per record.
"""
