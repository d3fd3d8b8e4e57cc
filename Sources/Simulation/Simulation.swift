// Simulation module. See README.md, section Architecture.
