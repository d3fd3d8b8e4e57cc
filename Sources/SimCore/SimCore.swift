// SimCore module. See README.md, section Architecture.
