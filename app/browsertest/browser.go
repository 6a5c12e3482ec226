// Package browsertest drives Debian's Chromium (no browser downloads) through
// the DevTools protocol with chromedp, against a whole balcao started by
// servertest. Each page area adds its own <area>_test.go here and uses the
// helpers below: a browser per test, one isolated tab per person (each with
// its own cookies, as two people on two machines), and waits on what a person
// would see.
//
// The tests skip, saying why, with -short or when no Chromium is found
// ($BALCAO_CHROMIUM, then /usr/bin/chromium, then chromium on the PATH);
// .ci/run installs the package so CI always runs them.
package browsertest

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Chromium returns the browser binary to drive, or "" when there is none.
func Chromium() string {
	for _, p := range []string{os.Getenv("BALCAO_CHROMIUM"), "/usr/bin/chromium"} {
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	return ""
}

// NewBrowser starts a headless Chromium with a fresh profile for the test (or
// skips it) and returns the context tabs are opened from. The browser ends
// with the test.
func NewBrowser(t *testing.T) context.Context {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test skipped with -short")
	}
	bin := Chromium()
	if bin == "" {
		t.Skip("no Chromium found: set BALCAO_CHROMIUM or install Debian's chromium package (apt-get install chromium)")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		// Two people share the browser: a tab in the background must keep its timers and event streams.
		chromedp.Flag("disable-background-timer-throttling", true),
		chromedp.Flag("disable-renderer-backgrounding", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	browser, cancelBrowser := chromedp.NewContext(alloc)
	// The first Run starts the browser; it must not carry a timeout.
	if err := chromedp.Do(browser); err != nil {
		cancelBrowser()
		cancelAlloc()
		t.Fatalf("start %s: %v", bin, err)
	}
	t.Cleanup(func() {
		cancelBrowser()
		cancelAlloc()
	})
	return browser
}

// NewTab opens a tab in its own browser context (own cookies and storage), as
// a second person on another machine.
func NewTab(t *testing.T, browser context.Context) context.Context {
	t.Helper()
	tab, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	if err := chromedp.Do(tab); err != nil {
		cancel()
		t.Fatalf("new tab: %v", err)
	}
	t.Cleanup(cancel)
	return tab
}

// Do runs steps in tab and fails the test with what when one fails, or when
// all together take longer than timeout.
func Do(t *testing.T, tab context.Context, timeout time.Duration, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab, timeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// WaitText waits until an element matching the CSS selector contains text.
func WaitText(selector, text string) chromedp.Action[chromedp.Void] {
	return WaitJS(`[...document.querySelectorAll(` + jsString(selector) + `)].some(e => e.textContent.includes(` + jsString(text) + `))`)
}

// WaitJS waits until the JavaScript expression is truthy (polled every 50 ms,
// which also works in a tab that is not in front). A navigation while it
// waits (the page it polled is gone) starts the poll again on the new page.
func WaitJS(expr string) chromedp.Action[chromedp.Void] {
	poll := chromedp.Poll[bool](expr, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(0))
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		for {
			_, err := poll(ctx, t)
			if err == nil || ctx.Err() != nil || !navigatedAway(err) {
				return chromedp.Void{}, err
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
}

// navigatedAway reports whether err says the page's JavaScript context ended.
func navigatedAway(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "Cannot find context") || strings.Contains(msg, "Execution context was destroyed") ||
		strings.Contains(msg, "Inspected target navigated or closed")
}

// Type clears the field matching the CSS selector and types text into it.
func Type(selector, text string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.WaitVisible(chromedp.CSS(selector)),
		Eval(`document.querySelector(`+jsString(selector)+`).value = ""`),
		chromedp.SendKeys(chromedp.CSS(selector), text),
	)
}

// Eval runs a JavaScript expression in the page, ignoring its value.
func Eval(expr string) chromedp.Action[chromedp.Void] {
	eval := chromedp.Evaluate[any](expr)
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := eval(ctx, t)
		return chromedp.Void{}, err
	}
}

// Login signs in on the panel at base with email and password.
func Login(base, email, password string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Navigate(base+"/entrar"),
		Type(`input[name="email"]`, email),
		Type(`input[name="password"]`, password),
		chromedp.Click(chromedp.CSS(`form[action="/entrar"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`header.topbar`)),
	)
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
