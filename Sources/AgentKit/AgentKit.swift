// AgentKit: see shared/DESIGN.md
