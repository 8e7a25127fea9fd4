"""evidencekb: clinical-trial evidence kept as validated YAML records, compiled into a static site."""

__version__ = "0.1.0"
