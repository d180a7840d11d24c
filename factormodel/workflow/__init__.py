"""The wijk workflow: one analysis (analyse), the wijkplan, progress, evaluation."""
