# The two commands of the quick start: `make run` and `make test`.
# Both install the Debian packages the build needs when they are missing.

SWIFT ?= swift
APT_PACKAGES := libssl-dev libcurl4-openssl-dev pkg-config
# What the test suite needs on top: a venv for the Python checks, a browser and its driver,
# a real Redis (started by the tests on free ports) and the openssl command for its
# throw-away TLS certificates.
TEST_APT_PACKAGES := python3-venv chromium chromium-driver redis-server openssl
RUN_ARGS ?=

.PHONY: run test build deps test-deps lint bench clean

deps:
	@APT="$(APT_PACKAGES)" ./scripts/apt-install.sh

test-deps: deps
	@APT="$(TEST_APT_PACKAGES)" ./scripts/apt-install.sh

build: deps
	SWIFT="$(SWIFT)" ./scripts/build-release.sh >/dev/null

run: build
	./scripts/run.sh $(RUN_ARGS)

# Python tools for the tests (MSAL, to check our token cache against MSAL's own).
.build-venv/ready: Tests/requirements.txt
	python3 -m venv .build-venv
	.build-venv/bin/pip install -q --disable-pip-version-check -r Tests/requirements.txt
	touch $@

# Checks that need no build: every `///` doc comment on its declaration, after the
# imports; no function in Sources longer than 80 lines.
lint:
	python3 scripts/check-doc-comments.py
	python3 scripts/longest-functions.py --max 80 Sources

# Last, a 60 s fuzz pass, split between the HTTP request parser and the Redis reply parser
# (libFuzzer ships with the Swift toolchain).
test: test-deps .build-venv/ready lint
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --parallel
	.build-venv/bin/python -m pytest -q -p no:cacheprovider Tests/e2e
	bash bench/fuzz.sh 60

bench: deps
	@APT="wrk" ./scripts/apt-install.sh
	bash bench/http.sh
	bash bench/rss-floor.sh

clean:
	rm -rf .build
