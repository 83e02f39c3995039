# Thin wrapper over CMake. `make` builds build/gatehouse; `make run` and
# `make test` first install the Debian packages they lack.
JOBS ?= $(shell nproc)
DATA ?= ./data
LISTEN ?= 127.0.0.1:7878

.PHONY: all deps run test unit e2e browser fuzz bench clean format update-aws-data

all:
	@cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build build -j $(JOBS)
	@scripts/build-console.sh build
	@scripts/build-aws-data.sh build

# Bumps the pinned AWS data packages (aws-data/package*.json) to their latest
# releases; the next `make` converts them. Commit the two files.
update-aws-data:
	@scripts/build-aws-data.sh --update

deps:
	@scripts/install-deps.sh build

run: deps all
	./build/gatehouse serve --listen $(LISTEN) --data-dir $(DATA)

# The test build runs everything under ASan and UBSan.
build-test/gatehouse: FORCE
	@scripts/install-deps.sh test
	@cmake -S . -B build-test -DGH_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
	@cmake --build build-test -j $(JOBS)
	@scripts/build-console.sh build-test
	@scripts/build-aws-data.sh build-test
FORCE:

unit: build-test/gatehouse
	cd build-test && ctest --output-on-failure -j $(JOBS)

e2e: build-test/gatehouse
	GATEHOUSE_BIN=$(CURDIR)/build-test/gatehouse /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/e2e

# The web console in Debian's chromium, driven by playwright-core (no browser download).
browser: build-test/gatehouse
	GATEHOUSE_BIN=$(CURDIR)/build-test/gatehouse node tests/browser/logic.mjs
	GATEHOUSE_BIN=$(CURDIR)/build-test/gatehouse node tests/browser/run.mjs
	GATEHOUSE_BIN=$(CURDIR)/build-test/gatehouse node tests/browser/isolation.mjs

test: unit e2e browser

fuzz:
	@scripts/install-deps.sh test
	@cmake -S . -B build-fuzz -DGH_FUZZ=ON -DCMAKE_C_COMPILER=clang >/dev/null
	@cmake --build build-fuzz -j $(JOBS)
	@for f in build-fuzz/fuzz_*; do \
		n=$$(basename $$f); mkdir -p build-fuzz/corpus-$$n; \
		echo "== $$n (60 s)"; \
		$$f -max_total_time=60 -print_final_stats=1 build-fuzz/corpus-$$n tests/fuzz/corpus/$$n || exit 1; \
	done

bench:
	@scripts/install-deps.sh bench
	@cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build build -j $(JOBS)
	@scripts/build-aws-data.sh build
	sh bench/run.sh

format:
	clang-format -i $$(git ls-files 'src/*.c' 'src/*.h' 'tests/*.c' 'bench/*.c')

clean:
	rm -rf build build-test build-fuzz
