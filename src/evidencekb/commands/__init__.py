"""Sub-commands of the ``evidencekb`` command line, one module each."""
