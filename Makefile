# krest -- a thin wrapper around CMake and the scripts. See README.md.
#   make          build build/krest (Release)
#   make run      install what is missing, build, start a local Kafka and krest on :8082
#   make stop     stop the local Kafka started by `make run`
#   make test     install, build (normal + ASan/UBSan), unit + API tests on a fresh broker
#   make format   clang-format the sources in place
JOBS ?= $(shell nproc)

.PHONY: all build asan run stop test format clean

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

clean:
	rm -rf build build-asan
