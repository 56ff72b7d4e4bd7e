# krest -- a thin wrapper around CMake and the scripts. See README.md.
#   make          build build/krest (Release)
#   make run      install what is missing, build, start a local Kafka and krest on :8082
#   make stop     stop the local Kafka started by `make run`
#   make test     install, build (normal + ASan/UBSan), unit + API tests on a fresh broker
#   make format   clang-format the sources in place
#   make fuzz     build the libFuzzer targets with clang and run each FUZZ_SECONDS (30)
#   make fuzz-smoke  the same, FUZZ_RUNS (20000) iterations each from the seed corpus
JOBS ?= $(shell nproc)

FUZZ_SECONDS ?= 30
FUZZ_RUNS ?= 20000

.PHONY: all build asan run stop test format fuzz fuzz-build fuzz-smoke clean

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

fuzz-build:
	@cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug -DKREST_FUZZ=ON >/dev/null
	@cmake --build build-fuzz -j $(JOBS) >/dev/null

# A fixed number of iterations per target from the seed corpus (what `make test` runs).
fuzz-smoke: fuzz-build
	@for f in $$(find build-fuzz -maxdepth 1 -name 'fuzz_*' -type f -perm -u+x | sort); do n=$$(basename $$f); \
	  mkdir -p build-fuzz/corpus-$$n; \
	  $$f -runs=$(FUZZ_RUNS) -seed=1 build-fuzz/corpus-$$n tests/fuzz/corpus/$$n > build-fuzz/$$n.log 2>&1 \
	    || { tail -n 40 build-fuzz/$$n.log; echo "$$n: FAILED"; exit 1; }; \
	  echo "$$n: $(FUZZ_RUNS) runs, no crash"; done

fuzz: fuzz-build
	@for f in $$(find build-fuzz -maxdepth 1 -name 'fuzz_*' -type f -perm -u+x | sort); do echo "== $$f"; mkdir -p .cache/corpus/$$(basename $$f); \
	  $$f -max_total_time=$(FUZZ_SECONDS) .cache/corpus/$$(basename $$f) tests/fuzz/corpus/$$(basename $$f) 2>&1 | tail -n 2 || exit 1; done

clean:
	rm -rf build build-asan
