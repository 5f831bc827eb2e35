"""The read side: search, cite, show, export, query and the HTML report.

Everything here only reads the published warehouse (``warehouse.db.connect_read``); none
of it imports the write side's orchestration (``pipeline``, ``worker``, ``fetching``).
"""
