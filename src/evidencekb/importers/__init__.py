"""Reading trial registries: their payloads as located values, and drafts of records built from them.

No command-line code here: ``evidencekb.commands.importer`` and ``evidencekb check --registry`` call
these modules.
"""
