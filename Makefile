# Yunhe — the two set-up commands of README.md are `make run` and `make test`.
SWIFT ?= swift
SCENARIO ?= scenarios/jiujiang.yaml

.PHONY: run test deps build release example format lint bench speedup sanitize sanitize-thread quality

# Installs GSL, zlib and pkg-config when they are missing (Debian/Ubuntu).
deps:
	@pkg-config --exists gsl zlib 2>/dev/null || { \
	  echo "installing libgsl-dev, zlib1g-dev and pkg-config" >&2; \
	  SUDO=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
	  $$SUDO apt-get update && $$SUDO apt-get install -y libgsl-dev zlib1g-dev pkg-config; }

build: deps
	$(SWIFT) build

# A fully static executable (Swift runtime, Foundation, GSL, zlib and glibc linked in, no dynamic
# loader at start-up), linked with lld (GNU gold warns about mktemp inside the static
# Foundation). Against the earlier static-stdlib, position-dependent build it starts in 2.2 ms
# instead of 3.5 (`yunhe --version`) and a Dvfs PlanetLab day takes 14.7 ms instead of 17.4: the
# loader no longer maps eight shared libraries and resolves their symbols at every start.
release: deps
	$(SWIFT) build -c release -Xswiftc -static-executable -Xswiftc -use-ld=lld --product yunhe

# Runs the bundled default scenario (Jiujiang) and writes reports/jiujiang/<run-id>/.
run: release
	.build/release/yunhe run $(SCENARIO)

# Runs the whole test suite.
test: deps
	$(SWIFT) test

# Regenerates the committed example report under reports/jiujiang/example/.
example: release
	.build/release/yunhe run scenarios/jiujiang.yaml --seed 42 --run-id example --quiet

format:
	$(SWIFT) format format --in-place --recursive Package.swift Sources Tests Benchmarks/Package.swift Benchmarks/Benchmarks

lint:
	$(SWIFT) format lint --strict --recursive Package.swift Sources Tests Benchmarks/Package.swift Benchmarks/Benchmarks

# Performance suite (ordo-one/benchmark), kept out of `swift test`.
bench: deps
	cd Benchmarks && $(SWIFT) package benchmark

# The CloudSim PlanetLab speed and memory check: each example policy-day on 20110303 through the
# command line against CloudSim 3.0.3's quiet-harness wall time and peak RSS (from
# ../shared/data/baselines/results.csv); fails when one is under 200× or above 1/10.
speedup: release
	scripts/planetlab-speedup.sh

# The whole test suite under AddressSanitizer (its own build folder; about 10 minutes on two
# cores). Leak checking is off: the Swift runtime keeps caches alive on purpose.
sanitize: deps
	$(SWIFT) build --build-tests --sanitize=address --scratch-path .build-asan
	ASAN_OPTIONS=detect_leaks=0 $(SWIFT) test --skip-build --sanitize=address --scratch-path .build-asan

# The tests of the two-thread code (frames, overload scan, best fit's split search, trace
# reader) under ThreadSanitizer (about 8 minutes).
sanitize-thread: deps
	$(SWIFT) build --build-tests --sanitize=thread --scratch-path .build-tsan
	$(SWIFT) test --skip-build --sanitize=thread --scratch-path .build-tsan \
	  --filter "DynamicConsolidationTests|ScaleWorkload|DynamicScenario"

# Lint, then the sanitised suites.
quality: lint sanitize sanitize-thread
