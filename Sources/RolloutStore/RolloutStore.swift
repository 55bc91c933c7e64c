// RolloutStore: see shared/DESIGN.md
