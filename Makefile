# The two commands of the quick start: `make run` and `make test`.
# Both install the Debian packages the build needs when they are missing.

SWIFT ?= swift
APT_PACKAGES := libssl-dev libcurl4-openssl-dev pkg-config
RUN_ARGS ?=

.PHONY: run test build deps bench clean

deps:
	@missing=""; \
	for pkg in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$pkg 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$pkg"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  if [ "$$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi; \
	  $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing; \
	fi

build: deps
	$(SWIFT) build -c release --product entra-web

run: build
	./scripts/run.sh $(RUN_ARGS)

# Python tools for the tests (MSAL, to check our token cache against MSAL's own).
.build-venv/ready: Tests/requirements.txt
	python3 -m venv .build-venv
	.build-venv/bin/pip install -q --disable-pip-version-check -r Tests/requirements.txt
	touch $@

test: deps .build-venv/ready
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --parallel

bench: deps
	bash bench/http.sh

clean:
	rm -rf .build
