"""Annotation: Label Studio rounds with exchanged annotators, agreement, reconciliation."""
