// Stochastics module. See README.md, section Architecture.
