# The two commands of the README:
#   make demo   installs what is missing, builds, and runs a demo session on the simulated feed
#   make test   installs what is missing, checks the formatting, builds, and runs every test
#               (plain, then ASan+UBSan, then ThreadSanitizer, then a short fuzzing pass:
#               TEST_FUZZ_SECONDS per fuzz target)
# Other targets: build, install (PREFIX=...), bench, fuzz, format, format-check, test-plain,
# test-asan, test-tsan, clean.
#   make fuzz   builds the libFuzzer targets (clang) and runs each for FUZZ_SECONDS (docs/fuzzing.md)
# One test alone: build/tests/<program> <test>, or ctest -R '<program>.<test>' in a build folder.
BUILD ?= build
ASAN_BUILD ?= build-asan
TSAN_BUILD ?= build-tsan
FUZZ_BUILD ?= build-fuzz
TSAN_OPTS = halt_on_error=1:exitcode=66:second_deadlock_stack=1:die_after_fork=0:suppressions=$(CURDIR)/tests/tsan.supp
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=
FUZZ_CC ?= clang-14
FUZZ_SECONDS ?= 60
# The short pass of `make test`, per target.
TEST_FUZZ_SECONDS ?= 30
FUZZ_TARGETS ?=

.PHONY: all deps deps-fuzz build demo install test test-plain test-asan test-tsan test-fuzz fuzz fuzz-build bench format format-check clean

all: build

deps:
	@bash scripts/bootstrap.sh

deps-fuzz:
	@bash scripts/bootstrap.sh --fuzz

$(BUILD)/CMakeCache.txt: | deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DARGO_WERROR=ON $(CMAKE_FLAGS) >/dev/null

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	@bash scripts/demo.sh $(BUILD)/argo

# Installs headers, libargo.so and libargo.a, libduckdb.so, the tool, its manual page and
# completion, argo.pc and the CMake package under PREFIX (docs/library.md).
PREFIX ?= /usr/local
install: build
	cmake --install $(BUILD) --prefix $(PREFIX)

test-plain: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 900

test-asan: deps
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DARGO_WERROR=ON -DARGO_SANITIZE=ON $(CMAKE_FLAGS) >/dev/null
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp ctest --output-on-failure -j $(JOBS) --timeout 1800 -L '^(unit|e2e|chromium)$$'

# ThreadSanitizer over the threads argo runs (engine, journal writer, publisher and its export
# lane, watchdog); the libraries argo links are not instrumented.
test-tsan: deps
	cmake -S . -B $(TSAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DARGO_WERROR=ON -DARGO_TSAN=ON $(CMAKE_FLAGS) >/dev/null
	TSAN_OPTIONS=$(TSAN_OPTS) cmake --build $(TSAN_BUILD) -j $(JOBS)
	cd $(TSAN_BUILD) && TSAN_OPTIONS=$(TSAN_OPTS) ctest --output-on-failure -j $(JOBS) --timeout 1800 \
	  -L '^(unit|e2e)$$'

format-check:
	@bad=$$(for f in $$(git ls-files '*.c' '*.h'); do clang-format --dry-run -Werror "$$f" >/dev/null 2>&1 || echo "$$f"; done); \
	if [ -n "$$bad" ]; then echo "not clang-formatted (make format): $$bad" >&2; exit 1; fi

# The fuzz build: every corpus input once (ctest label fuzz), then each target for FUZZ_SECONDS.
fuzz-build: deps-fuzz
	cmake -S . -B $(FUZZ_BUILD) -DCMAKE_C_COMPILER=$(FUZZ_CC) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DARGO_WERROR=ON -DARGO_FUZZ=ON $(CMAKE_FLAGS) >/dev/null
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzz_targets

fuzz: fuzz-build
	cd $(FUZZ_BUILD) && ctest --output-on-failure -j $(JOBS) -L '^fuzz$$'
	bash scripts/fuzz.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) $(JOBS) $(FUZZ_TARGETS)

test-fuzz:
	$(MAKE) fuzz FUZZ_SECONDS=$(TEST_FUZZ_SECONDS)

test: format-check test-plain test-asan test-tsan test-fuzz

bench: build
	$(BUILD)/bench/bench_suite

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(TSAN_BUILD) $(FUZZ_BUILD)
