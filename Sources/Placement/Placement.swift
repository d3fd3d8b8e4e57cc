// Placement module. See README.md, section Architecture.
