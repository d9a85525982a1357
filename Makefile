# The two commands of the README:
#   make demo   installs what is missing, builds, and runs a demo session on the simulated feed
#   make test   installs what is missing, builds, and runs every test (plain, then ASan+UBSan, then
#               a short fuzzing pass: TEST_FUZZ_SECONDS per fuzz target)
# Other targets: build, bench, fuzz, format, clean.
#   make fuzz   builds the libFuzzer targets (clang) and runs each for FUZZ_SECONDS (docs/fuzzing.md)
BUILD ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=
FUZZ_CC ?= clang-14
FUZZ_SECONDS ?= 60
# The short pass of `make test`, per target.
TEST_FUZZ_SECONDS ?= 30
FUZZ_TARGETS ?=

.PHONY: all deps deps-fuzz build demo test test-plain test-asan test-fuzz fuzz fuzz-build bench format clean

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

test-plain: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 900

test-asan: deps
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DARGO_WERROR=ON -DARGO_SANITIZE=ON $(CMAKE_FLAGS) >/dev/null
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp ctest --output-on-failure -j $(JOBS) --timeout 1800 -L '^(unit|e2e)$$'

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

test: test-plain test-asan test-fuzz

bench: build
	$(BUILD)/bench/bench_suite

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
