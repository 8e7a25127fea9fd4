"""Evidence questions: the record kind that pools trial records into a Summary of Findings with GRADE.

``rules`` checks one question record, ``links`` finds its trial endpoints in the checked trial records,
``compute`` pools them (through ``evidencekb.pooling``) with absolute effects, ``grade`` gives the
signals, certainty levels and informative statements, ``stage`` is the cross-record stage the pipeline
runs, ``site`` and ``diff`` are what the site and ``evidencekb diff`` take from them, ``history`` the
pooled results that moved in the records' git history.
"""
