package api

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"

	"balcao/app/store"
)

// Headers of an outgoing webhook.
const (
	HeaderSignature = "X-Balcao-Signature"
	HeaderTimestamp = "X-Balcao-Timestamp"
	HeaderEvent     = "X-Balcao-Event"
	HeaderDelivery  = "X-Balcao-Delivery"
)

// Sign is the X-Balcao-Signature value of body: "sha256=" and the hex
// HMAC-SHA256 of the raw body with the secret.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// DelivererOptions tune the webhook worker; zero values take the defaults.
type DelivererOptions struct {
	// MaxAttempts bounds the tries of one delivery (default 10).
	MaxAttempts int
	// BaseDelay is the wait after the first failure, doubled after each (default 30 s).
	BaseDelay time.Duration
	// MaxDelay caps the wait between tries (default 1 h).
	MaxDelay time.Duration
	// Timeout bounds one HTTP attempt (default 10 s).
	Timeout time.Duration
	// Poll is how often the queue is looked at without a wake-up (default 5 s).
	Poll time.Duration
	// Client sends the requests (a client with Timeout when nil).
	Client *http.Client
}

// Deliverer sends the outgoing_webhooks queue to the configured URL.
type Deliverer struct {
	store *store.Store
	log   *slog.Logger
	opt   DelivererOptions
	wake  chan struct{}
}

// NewDeliverer builds the webhook worker; call Run.
func NewDeliverer(st *store.Store, log *slog.Logger, o DelivererOptions) *Deliverer {
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 10
	}
	if o.BaseDelay <= 0 {
		o.BaseDelay = 30 * time.Second
	}
	if o.MaxDelay <= 0 {
		o.MaxDelay = time.Hour
	}
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	if o.Poll <= 0 {
		o.Poll = 5 * time.Second
	}
	if o.Client == nil {
		// A redirect is an answer, not a delivery: following it would turn
		// the POST into a GET somewhere else.
		o.Client = &http.Client{Timeout: o.Timeout, CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		}}
	}
	return &Deliverer{store: st, log: log, opt: o, wake: make(chan struct{}, 1)}
}

// Wake tells the worker an event was queued.
func (d *Deliverer) Wake() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Run delivers until ctx ends.
func (d *Deliverer) Run(ctx context.Context) {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-d.wake:
		}
		for {
			n, err := d.RunOnce(ctx)
			if err != nil {
				d.log.Error("outgoing webhooks", "err", err)
				break
			}
			if n == 0 || ctx.Err() != nil {
				break
			}
		}
		t.Reset(d.opt.Poll)
	}
}

// RunOnce delivers the deliveries due now and returns how many it tried.
func (d *Deliverer) RunOnce(ctx context.Context) (int, error) {
	// The lease outlasts the batch's attempts, sent one after the other: a
	// delivery a crash interrupted is due again after it, so the receiver
	// gets it at least once, and never twice because a batch was slow.
	const batch = 10
	lease := (d.opt.Timeout*batch + 30*time.Second).Milliseconds()
	due, err := d.store.ClaimWebhooks(ctx, batch, lease)
	if err != nil || len(due) == 0 {
		return 0, err
	}
	set, err := d.store.WebhookSettings(ctx)
	if err != nil {
		return 0, err
	}
	for _, w := range due {
		status, err := d.send(ctx, set, w)
		if err := d.record(ctx, w, status, err); err != nil {
			return 0, err
		}
	}
	return len(due), nil
}

func (d *Deliverer) send(ctx context.Context, set store.WebhookSettings, w store.OutgoingWebhook) (int, error) {
	if set.URL == "" {
		return 0, fmt.Errorf("no webhook URL configured")
	}
	ctx, cancel := context.WithTimeout(ctx, d.opt.Timeout)
	defer cancel()
	body := []byte(w.Payload)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, set.URL, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "balcao-webhooks/1")
	req.Header.Set(HeaderEvent, w.Event)
	req.Header.Set(HeaderDelivery, strconv.FormatInt(w.ID, 10))
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(time.UnixMilli(d.store.Now()).Unix(), 10))
	req.Header.Set(HeaderSignature, Sign(set.Secret, body))
	res, err := d.opt.Client.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return res.StatusCode, fmt.Errorf("receiver answered %s", res.Status)
	}
	return res.StatusCode, nil
}

// record writes the attempt's outcome: delivered, retried later, or given up.
func (d *Deliverer) record(ctx context.Context, w store.OutgoingWebhook, status int, err error) error {
	if err == nil {
		return d.store.MarkWebhookDelivered(ctx, w.ID, status)
	}
	text := err.Error()
	if len(text) > 500 {
		text = text[:500]
	}
	if w.Attempts >= d.opt.MaxAttempts {
		d.log.Warn("outgoing webhook given up", "id", w.ID, "event", w.Event, "attempts", w.Attempts, "err", text)
		return d.store.MarkWebhookFailed(ctx, w.ID, status, text)
	}
	next := d.store.Now() + d.Backoff(w.Attempts).Milliseconds()
	return d.store.MarkWebhookRetry(ctx, w.ID, next, status, text)
}

// Backoff is the wait after the given number of failed attempts: the base
// doubled each time, capped, with "equal jitter" (half fixed, half random)
// so that receivers coming back up are not hit by every sender at once.
func (d *Deliverer) Backoff(attempts int) time.Duration {
	wait := d.opt.BaseDelay
	for i := 1; i < attempts && wait < d.opt.MaxDelay; i++ {
		wait *= 2
	}
	wait = min(wait, d.opt.MaxDelay)
	half := wait / 2
	return half + rand.N(half+1)
}
