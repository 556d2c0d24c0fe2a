"""File formats for the question bank: YAML (our own) and Moodle XML.

Each parser turns a file into ``ParsedQuestion`` values and a list of problems without touching
the database; ``quiz.bank.importers.load`` writes them, all or nothing.
"""
