# balcao — build, test and run targets. See README.md.
GO        ?= go
BIN       := bin/balcao
LDFLAGS   := -s -w
HTMX      := 2.0.11
HTMX_SSE  := 2.2.4
PICO      := 2.1.1

.PHONY: all build run test test-short bench generate vendor fmt vet clean

all: build

## build: a static binary in bin/ (no cgo)
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) .

## run: build, then start the demo (temporary data folder, simulated WhatsApp)
run: build
	./$(BIN) demo

## test: the whole suite (browser tests run when Chromium is installed)
test:
	@out="$$(gofmt -l main.go embed.go app views)"; if [ -n "$$out" ]; then echo "not gofmt-ed (run make fmt):"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	CGO_ENABLED=0 $(GO) build -o /dev/null .
	$(GO) test -count=1 -timeout 20m ./...

## test-short: skip the slow tests (browser, load)
test-short:
	$(GO) test -short -count=1 ./...

## bench: the performance figures quoted in the issues
bench:
	$(GO) test -run '^$$' -bench . -benchtime 3s ./...

## generate: regenerate templ components (*_templ.go are committed)
generate:
	$(GO) tool templ generate

## vendor: fetch the pinned front-end files from the npm registry into static/vendor
vendor:
	rm -rf .vendor-tmp && mkdir -p .vendor-tmp static/vendor
	cd .vendor-tmp && npm pack --silent htmx.org@$(HTMX) htmx-ext-sse@$(HTMX_SSE) @picocss/pico@$(PICO) >/dev/null
	tar -xzf .vendor-tmp/htmx.org-$(HTMX).tgz -O package/dist/htmx.min.js > static/vendor/htmx.min.js
	tar -xzf .vendor-tmp/htmx-ext-sse-$(HTMX_SSE).tgz -O package/dist/sse.min.js > static/vendor/htmx-sse.min.js
	tar -xzf .vendor-tmp/picocss-pico-$(PICO).tgz -O package/css/pico.min.css > static/vendor/pico.min.css
	rm -rf .vendor-tmp
	@echo "htmx.org@$(HTMX) htmx-ext-sse@$(HTMX_SSE) @picocss/pico@$(PICO)" > static/vendor/VERSIONS

fmt:
	gofmt -w $$(git ls-files '*.go')

vet:
	$(GO) vet ./...

clean:
	rm -rf bin .vendor-tmp
