// RolloutEngine: see shared/DESIGN.md
