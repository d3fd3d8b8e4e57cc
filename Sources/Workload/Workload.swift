// Workload module. See README.md, section Architecture.
