# Thin wrapper: install what is missing, configure with meson, build with ninja.
BUILD ?= build
MESON_OPTS ?=

.PHONY: all demo check soak build bootstrap asan tsan release fuzz clean

all: build

bootstrap:
	@scripts/bootstrap

$(BUILD)/build.ninja:
	meson setup $(BUILD) $(MESON_OPTS)

build: bootstrap $(BUILD)/build.ninja
	ninja -C $(BUILD)

# The main job: a demo VPN (server and client in network namespaces) with a short report.
demo: build
	$(BUILD)/src/burrow demo

# Every test; ends with "N passed, N failed, N skipped".
check: build
	tests/run $(BUILD)

# The 5-minute soak (suite 'soak', left out of check); an hour: tests/soak --minutes 60.
soak: build
	tests/run $(BUILD) soak

# Unit tests under AddressSanitizer + UndefinedBehaviorSanitizer.
asan: bootstrap
	[ -f build-asan/build.ninja ] || CC=clang meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false
	ninja -C build-asan
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 tests/run build-asan unit

# Stress tests under ThreadSanitizer.
tsan: bootstrap
	[ -f build-tsan/build.ninja ] || CC=clang meson setup build-tsan -Db_sanitize=thread -Db_lundef=false
	ninja -C build-tsan
	TSAN_OPTIONS="halt_on_error=1 suppressions=$(CURDIR)/tests/tsan.supp" tests/run build-tsan stress

release: bootstrap
	[ -f build-release/build.ninja ] || meson setup build-release --buildtype=release -Db_lto=true
	ninja -C build-release

fuzz: bootstrap
	[ -f build-fuzz/build.ninja ] || CC=clang meson setup build-fuzz -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false
	ninja -C build-fuzz
	tests/fuzz/run build-fuzz

clean:
	rm -rf build build-asan build-tsan build-release build-fuzz
