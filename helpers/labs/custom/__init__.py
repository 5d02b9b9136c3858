"""Comparators particular to one lab, ``labNN.py``; referenced as ``judge.Custom("labNN.name")``.

They judge, they hold no answers: they ship in the student edition."""
