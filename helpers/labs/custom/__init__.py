"""Comparators particular to one lab, ``labNN.py``; referenced as ``judge.Custom("labNN.name")``.
:mod:`.models` holds what labs that judge Keras models share (layer tables, probed outputs).

They judge, they hold no answers: they ship in the student edition."""
