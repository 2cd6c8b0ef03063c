# Tessera: `make demo` and `make test` each do everything from a fresh clone:
# install missing Debian packages -> configure -> build -> run.
PRESET ?= release
BUILD_DIR := build/$(PRESET)
TESSERA := $(BUILD_DIR)/tessera
JOBS ?= 2

.PHONY: all deps configure build test demo asan format tidy fuzz clean

all: build

deps:
	bash scripts/install-deps.sh

configure: deps
	cmake --preset $(PRESET) >/dev/null

build: configure
	cmake --build --preset $(PRESET) -j $(JOBS)

test: build
	ctest --preset $(PRESET) -j $(JOBS)

demo: build
	bash scripts/demo.sh $(TESSERA)

# The sanitizer build and its tests (ASan + UBSan).
asan:
	$(MAKE) test PRESET=asan-ubsan

# clang-tidy over the library with .clang-tidy's checks (about 8 minutes on 2 cores).
tidy: configure
	bash scripts/run-clang-tidy.sh $(BUILD_DIR)

# libFuzzer harnesses (clang; tests/fuzz): each runs FUZZ_SECONDS, one at a time, niced.
FUZZ_SECONDS ?= 60
FUZZERS := onnx platform_yaml problem_json plan_json neurosim pipeedge
fuzz: deps
	cmake --preset fuzz >/dev/null
	cmake --build --preset fuzz -j $(JOBS) --target $(addprefix fuzz_,$(FUZZERS))
	bash scripts/fuzz.sh build/fuzz $(FUZZ_SECONDS) $(FUZZERS)

format:
	git ls-files -co --exclude-standard -- '*.cpp' '*.hpp' | xargs clang-format -i

clean:
	rm -rf build
