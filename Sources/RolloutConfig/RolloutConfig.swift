// RolloutConfig: see shared/DESIGN.md
