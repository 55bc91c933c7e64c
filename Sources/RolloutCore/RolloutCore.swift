// RolloutCore: see shared/DESIGN.md
