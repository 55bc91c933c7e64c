// SSHClient: see shared/DESIGN.md
