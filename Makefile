# Two commands do all set-up on a fresh Debian 12 machine: `make run` and `make test`.
BUILD_DIR ?= build
ASAN_DIR ?= build-asan
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
CTEST_ARGS ?=

.PHONY: all deps configure build run test test-asan bench validate validate-planning format clean

all: build

deps:
	@bash installer/debian-deps.sh

configure: deps
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

# Starts the GUI on the built-in demo case (a synthetic CT phantom); open a DICOM folder from the menu.
run: build
	$(BUILD_DIR)/bin/beamlet --demo

# The whole suite except benchmarks; GUI tests run under a virtual X server.
test: build
	cd $(BUILD_DIR) && xvfb-run -a -s "-screen 0 1280x1024x24" ctest --output-on-failure -LE bench $(CTEST_ARGS)

bench: build
	cd $(BUILD_DIR) && ctest --output-on-failure -L bench $(CTEST_ARGS)

# AddressSanitizer + UBSan build running the data-enumeration and unit tests.
test-asan: deps
	@cmake -S . -B $(ASAN_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBEAMLET_SANITIZE=ON -DBEAMLET_BUILD_GUI=OFF >/dev/null
	@cmake --build $(ASAN_DIR) -j $(JOBS)
	cd $(ASAN_DIR) && \
	  ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  LSAN_OPTIONS=suppressions=$(CURDIR)/tests/sanitizers/lsan.supp \
	  ctest --output-on-failure -L "unit|data" -LE bench $(CTEST_ARGS)

# Validation tables against peers (docs/validation/): the Nelms DVH benchmark beside dicompyler-core,
# the water phantom against measurements, head-and-neck plans beside OpenKBP's reference doses.
BEAMLET_TEST_DATA ?= ../shared/data
validate: build
	/usr/bin/python3 tests/validation/nelms_dvh.py $(BUILD_DIR)/bin/beamlet-cli $(BEAMLET_TEST_DATA) docs/validation/dvh.md
	BEAMLET_VALIDATION_OUT=$(BUILD_DIR)/validation/water $(BUILD_DIR)/bin/test_water_phantom_dose
	/usr/bin/python3 tests/validation/water_dose.py --computed $(BUILD_DIR)/validation/water --measured $(BEAMLET_TEST_DATA)/beam/water-6mv/measurements --out docs/validation
	$(MAKE) validate-planning

# Head-and-neck plans on OpenKBP validation patients beside their reference dose (about 10 min on 2 cores).
validate-planning: build
	/usr/bin/python3 tests/validation/openkbp_planning.py $(BUILD_DIR)/bin/beamlet-cli $(BEAMLET_TEST_DATA) docs/validation/planning.md --patients 6 --threads 2

format:
	@git ls-files '*.cpp' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR)
