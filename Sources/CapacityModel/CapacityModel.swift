// CapacityModel module. See README.md, section Architecture.
