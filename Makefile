# Thin front for CMake. `make run` starts the daemon, `make test` runs the
# whole suite under AddressSanitizer and UndefinedBehaviorSanitizer,
# `make install` installs under PREFIX (and DESTDIR), `make deb` builds the
# Debian packages ffc, libffc and libffc-dev into build-deb/.

BUILD      ?= build
TEST_BUILD ?= build-test
DEB_BUILD  ?= build-deb
BENCH_BUILD ?= build-bench
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
CONF       ?= conf/ffcd.conf
PREFIX     ?= /usr/local

.PHONY: all deps build run install deb test bench fuzz format clean

all: build

deps:
	@sh .ci/deps

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=OFF >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

# The data directory is ./var, not the installed /var/lib/ffc: the tools
# find its control socket with FFC_CONTROL=ipc://var/control.sock.
run: build
	@mkdir -p var
	$(BUILD)/bin/ffcd -c $(CONF) --data var

install: build
	@cmake --install $(BUILD) --prefix $(PREFIX)

# Debian's build flags (hardening), prefix /usr, then CPack.
deb: deps
	@CFLAGS="$$(dpkg-buildflags --get CFLAGS) $$(dpkg-buildflags --get CPPFLAGS)" \
		LDFLAGS="$$(dpkg-buildflags --get LDFLAGS)" \
		cmake -S . -B $(DEB_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=OFF \
		-DCMAKE_INSTALL_PREFIX=/usr >/dev/null
	@cmake --build $(DEB_BUILD) -j $(JOBS)
	@cd $(DEB_BUILD) && cpack -G DEB

test: deps
	@cmake -S . -B $(TEST_BUILD) -DCMAKE_BUILD_TYPE=Debug -DFFC_WERROR=ON -DFFC_SANITIZE=ON >/dev/null
	@cmake --build $(TEST_BUILD) -j $(JOBS)
	@cd $(TEST_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		ctest --output-on-failure -j $(JOBS)

# Figures of this machine and disk: LMDB's own ceiling, then ffcd's durable
# ingest, cost, back-fill, alert latency, backup beside ingest and memory,
# from a release build (tests/bench/bench.py says what each is;
# FFC_BENCH_BIG=1 for the 10-million sizes).
bench: deps
	@cmake -S . -B $(BENCH_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=ON \
		-DFFC_SANITIZE=OFF -DFFC_FUZZ=OFF >/dev/null
	@cmake --build $(BENCH_BUILD) -j $(JOBS) --target ffcd ffcctl lmdb_ceiling load_gen
	@python3 tests/bench/bench.py $(BENCH_BUILD)

# libFuzzer builds of the fuzz targets (clang); run one long with e.g.
#   build-fuzz/tests/fuzz_concern -max_total_time=600 tests/fuzz/corpus/fuzz_concern
fuzz: deps
	@cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug \
		-DFFC_SANITIZE=ON -DFFC_FUZZ=ON >/dev/null
	@cmake --build build-fuzz -j $(JOBS)

format:
	@clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(TEST_BUILD) $(DEB_BUILD) $(BENCH_BUILD) build-fuzz
