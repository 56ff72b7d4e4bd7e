# krest -- a thin wrapper around CMake and the scripts. See README.md.
#   make          build build/krest (Release)
#   make run      install what is missing, build, start a local Kafka and krest on :8082
#   make stop     stop the local Kafka started by `make run`
#   make test     install, build (normal + ASan/UBSan), unit + API tests on a fresh broker
#   make format   clang-format the sources in place
#   make fuzz     build the libFuzzer targets with clang and run each FUZZ_SECONDS (30)
JOBS ?= $(shell nproc)

FUZZ_SECONDS ?= 30

.PHONY: all build asan run stop test format fuzz clean

all: build

build:
	@cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build build -j $(JOBS)

asan:
	@cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Asan >/dev/null
	@cmake --build build-asan -j $(JOBS)

run:
	@scripts/run-local

stop:
	@KAFKA_PORT=$$(cat .cache/kafka/run-port 2>/dev/null || echo 9092) scripts/kafka-local stop

test:
	@scripts/run-tests

format:
	@clang-format -i $$(git ls-files 'src/*.c' 'src/*.h' 'tests/*.c' 'bench/*.c')

fuzz:
	@cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug -DKREST_FUZZ=ON >/dev/null
	@cmake --build build-fuzz -j $(JOBS) >/dev/null
	@for f in build-fuzz/fuzz_*; do echo "== $$f"; mkdir -p .cache/corpus/$$(basename $$f); \
	  $$f -max_total_time=$(FUZZ_SECONDS) .cache/corpus/$$(basename $$f) tests/fuzz/corpus/$$(basename $$f) 2>&1 | tail -n 2 || exit 1; done

clean:
	rm -rf build build-asan
