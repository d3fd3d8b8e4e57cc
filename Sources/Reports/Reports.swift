// Reports module. See README.md, section Architecture.
