# Dibao: `make run` brings the product up with demo data; `make test` runs every test.
SHELL := /bin/bash
.DEFAULT_GOAL := help
VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
GO_LDFLAGS := -s -w -X dibao/backend/internal/app.Version=$(VERSION)
GO_PKGS := ./backend/... ./frontend/...

.PHONY: help run build frontend backend test vet test-go test-frontend e2e bench stop-db clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

run: build ## build everything, prepare the database, load demo data and serve on :8080
	./scripts/run.sh

build: frontend backend ## build the SPA and the dibao binary (bin/dibao)

frontend/node_modules/.installed: frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
	touch $@

# Builds take a lock so that two builds in one checkout never write dist/ at once.
frontend: frontend/node_modules/.installed ## build the SPA into frontend/dist
	flock .build.lock bash -c 'cd frontend && npm run build'

backend: ## build bin/dibao (embeds frontend/dist as it is)
	flock .build.lock go build -trimpath -ldflags "$(GO_LDFLAGS)" -o bin/dibao ./backend/cmd/dibao

test: vet test-go test-frontend e2e ## everything: vet, Go unit and integration tests, Vitest, browser tests

vet: ## go vet
	go vet $(GO_PKGS)

test-go: ## Go unit and integration tests (need PostgreSQL and Redis; see README)
	go test -count=1 -p 2 $(GO_PKGS)

test-frontend: frontend/node_modules/.installed ## Vitest unit tests of the SPA
	cd frontend && npm run test:unit

e2e: build ## browser tests: Playwright + Chromium against the built binary and a fresh database
	./scripts/e2e.sh

bench: ## benchmarks; figures go to docs/benchmarks.md
	./scripts/bench.sh

stop-db: ## stop the private PostgreSQL that make run may have started under ./var/pg
	@if [ -s var/pg/data/postmaster.pid ]; then \
	  bindir=$$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1); \
	  if [ "$$(id -u)" = 0 ]; then runuser -u postgres -- $$bindir/pg_ctl -D var/pg/data stop -m fast; \
	  else $$bindir/pg_ctl -D var/pg/data stop -m fast; fi; \
	else echo "no private PostgreSQL is running"; fi

clean: ## remove build output (keeps var/ with the private database)
	rm -rf bin frontend/test-results
	find frontend/dist -mindepth 1 ! -name .gitkeep -delete 2>/dev/null || true
