// Scenario module. See README.md, section Architecture.
