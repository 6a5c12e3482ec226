// Package media downloads the photos, documents, audio, video and stickers
// citizens send, off the webhook's request path. Its only queue is the
// database (inbound media messages with no file yet, see
// store.TakeMediaFetches), so a crash loses nothing: a download that dies
// with the process is due again when its lease ends.
//
// Each file comes from the Cloud API (whatsapp.Client.FetchMedia: media id →
// short-lived URL → bytes, asking for a new URL once on 404, SHA-256 checked
// in hex or base64), within WhatsApp's size limit for its kind, and is stored
// in media.db; the message then points at it. A file that can never be had
// (too large, refused, corrupt on every try, gone) is marked with a pt-BR
// error the clerk sees in its place, and is not tried again.
package media

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"balcao/app/store"
	"balcao/app/whatsapp"
)

// Limits are the largest files WhatsApp carries, by message type.
var Limits = map[string]int64{
	whatsapp.TypeImage:    5 << 20,
	whatsapp.TypeAudio:    16 << 20,
	whatsapp.TypeVideo:    16 << 20,
	whatsapp.TypeDocument: 100 << 20,
	whatsapp.TypeSticker:  500 << 10,
}

// Options tune a Fetcher. Zero values get the defaults named on each field.
type Options struct {
	// Parallel bounds the downloads running at once (each holds its file in
	// memory, up to 100 MB); default 2.
	Parallel int
	// MaxAttempts bounds the tries of one file; default 8.
	MaxAttempts int
	// BaseBackoff is the first retry's ceiling, doubling per attempt; default 10 s.
	BaseBackoff time.Duration
	// MaxBackoff caps the retry ceiling; default 30 min.
	MaxBackoff time.Duration
	// Lease is how long a download may take before it is due again (after a
	// crash); default 10 min.
	Lease time.Duration
	// Poll is the longest idle sleep, a safety net for a missed Wake; default 30 s.
	Poll time.Duration
	// OnFetched is told after a message got its file or its final error. It must not block.
	OnFetched func(messageID int64)
}

func (o *Options) defaults() {
	if o.Parallel <= 0 {
		o.Parallel = 2
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 8
	}
	set := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	set(&o.BaseBackoff, 10*time.Second)
	set(&o.MaxBackoff, 30*time.Minute)
	set(&o.Lease, 10*time.Minute)
	set(&o.Poll, 30*time.Second)
}

// Fetcher downloads inbound media. Create it with NewFetcher, run it with Run.
type Fetcher struct {
	store  *store.Store
	client *whatsapp.Client
	log    *slog.Logger
	opts   Options
	wake   chan struct{}
}

// NewFetcher returns a fetcher that downloads with client into st.
func NewFetcher(st *store.Store, client *whatsapp.Client, log *slog.Logger, opts Options) *Fetcher {
	opts.defaults()
	return &Fetcher{store: st, client: client, log: log.With("component", "media"), opts: opts, wake: make(chan struct{}, 1)}
}

// Wake tells the fetcher new messages were stored; it never blocks.
func (f *Fetcher) Wake() {
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

// Run downloads until ctx ends. Downloads cut short by the stop are given
// back to the queue untried.
func (f *Fetcher) Run(ctx context.Context) {
	if f.client.AccessToken == "" {
		// Nothing can be downloaded; the outbox worker tells the administrator.
		<-ctx.Done()
		return
	}
	sem := make(chan struct{}, f.opts.Parallel)
	var wg sync.WaitGroup
	defer wg.Wait()
	for ctx.Err() == nil {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			return
		}
		free := 1
	more:
		for free < f.opts.Parallel {
			select {
			case sem <- struct{}{}:
				free++
			default:
				break more
			}
		}
		jobs, err := f.store.TakeMediaFetches(ctx, free, f.opts.Lease.Milliseconds())
		for range free - len(jobs) {
			<-sem
		}
		if err != nil && ctx.Err() == nil {
			f.log.Error("reading the media queue", "err", err)
		}
		for _, j := range jobs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				f.fetch(ctx, j)
				<-sem
				f.Wake()
			}()
		}
		if len(jobs) == 0 {
			f.idle(ctx)
		}
	}
}

// idle sleeps until the next download is due, a Wake, or Poll.
func (f *Fetcher) idle(ctx context.Context) {
	d := f.opts.Poll
	if next, err := f.store.NextMediaFetch(ctx); err == nil && next > 0 {
		d = min(d, time.Duration(next-f.store.Now())*time.Millisecond)
	}
	if d <= 0 {
		d = 10 * time.Millisecond // due rows all taken by running downloads
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-f.wake:
	case <-t.C:
	}
}

// fetch downloads one file and records the outcome.
func (f *Fetcher) fetch(ctx context.Context, j store.MediaFetch) {
	log := f.log.With("message", j.MessageID, "type", j.Type, "attempt", j.Attempts)
	// Recording must survive the stop that cancels the download.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	in, err := inboundMedia(j.Payload)
	if err != nil {
		log.Warn("media message without a media id", "err", err)
		f.fail(rctx, j, textNoMediaID)
		return
	}
	limit := Limits[j.Type]
	_, data, err := f.client.FetchMedia(ctx, in.ID, limit)
	if err == nil && !whatsapp.ChecksumMatches(in.SHA256, data) {
		// FetchMedia checked the hash of the media endpoint; the webhook's
		// own must agree too.
		err = fmt.Errorf("%w: the webhook's sha256 differs", whatsapp.ErrChecksum)
	}
	if err == nil {
		err = f.save(rctx, j, in, data)
	}
	switch {
	case err == nil:
		log.Debug("media stored", "bytes", len(data))
		f.done(j)
	case ctx.Err() != nil:
		if e := f.store.RetryMediaFetch(rctx, j.MessageID, f.store.Now(), false); e != nil {
			log.Warn("giving back an interrupted download", "err", e)
		}
	case errors.Is(err, whatsapp.ErrTooLarge):
		log.Warn("media over WhatsApp's limit refused", "limit", limit, "err", err)
		f.fail(rctx, j, tooLargeText(j.Type, limit))
	default:
		f.retryOrFail(rctx, j, err, log)
	}
}

func (f *Fetcher) save(ctx context.Context, j store.MediaFetch, in *whatsapp.Media, data []byte) error {
	mime := in.MimeType
	if mime == "" {
		mime = "application/octet-stream"
	}
	id, err := f.store.Media.SaveMedia(ctx, mime, in.Filename, data, in.ID)
	if err != nil {
		return fmt.Errorf("media: store file: %w", err)
	}
	return f.store.SetMessageMedia(ctx, j.MessageID, id)
}

// retryOrFail schedules another try, or gives up for good when the error
// cannot pass or the attempts are spent.
func (f *Fetcher) retryOrFail(ctx context.Context, j store.MediaFetch, err error, log *slog.Logger) {
	class := whatsapp.Classify(err)
	checksum := errors.Is(err, whatsapp.ErrChecksum)
	switch {
	case class == whatsapp.Fatal:
		// The account is unusable (the outbox raised the alert); the file is
		// not to blame, and Meta keeps it for 7 days.
		log.Warn("media download refused with the account's credentials; trying later", "err", err)
		f.retry(ctx, j, f.store.Now()+time.Minute.Milliseconds(), false)
		return
	case class == whatsapp.Permanent && !checksum && !notFound(err):
		log.Warn("media download refused", "err", err)
		f.fail(ctx, j, failText(err))
		return
	case j.Attempts >= f.opts.MaxAttempts, checksum && j.Attempts >= maxChecksumAttempts:
		log.Warn("media download given up", "err", err)
		f.fail(ctx, j, failText(err))
		return
	}
	ceiling := min(f.opts.BaseBackoff<<min(j.Attempts-1, 20), f.opts.MaxBackoff)
	wait := rand.N(ceiling) + time.Millisecond
	log.Info("media download failed, will retry", "err", err, "in", wait)
	f.retry(ctx, j, f.store.Now()+wait.Milliseconds(), true)
}

func (f *Fetcher) retry(ctx context.Context, j store.MediaFetch, at int64, count bool) {
	if err := f.store.RetryMediaFetch(ctx, j.MessageID, at, count); err != nil {
		f.log.Error("media retry not recorded; due again after the lease", "message", j.MessageID, "err", err)
	}
}

func (f *Fetcher) fail(ctx context.Context, j store.MediaFetch, text string) {
	if err := f.store.FailMediaFetch(ctx, j.MessageID, text); err != nil {
		f.log.Error("media failure not recorded; due again after the lease", "message", j.MessageID, "err", err)
		return
	}
	f.done(j)
}

func (f *Fetcher) done(j store.MediaFetch) {
	if f.opts.OnFetched != nil {
		f.opts.OnFetched(j.MessageID)
	}
}

// maxChecksumAttempts bounds the tries of a file that keeps arriving corrupt:
// a second try rules out a bad transfer; more would not help.
const maxChecksumAttempts = 3

// notFound reports a 404: the media id is unknown or its 7 days are over.
// FetchMedia already asked for a fresh URL once; one more later try is cheap.
func notFound(err error) bool {
	var ae *whatsapp.APIError
	return errors.As(err, &ae) && ae.HTTPStatus == 404
}

// inboundMedia reads the media object of a stored messages[] item. The item
// goes through whatsapp.Parse, wrapped in a minimal envelope, so it is decoded
// exactly as tolerantly as when the webhook arrived.
func inboundMedia(payload string) (*whatsapp.Media, error) {
	body := `{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"messages":[` +
		payload + `]}}]}]}`
	n, err := whatsapp.Parse([]byte(body))
	if err != nil {
		return nil, err
	}
	if len(n.Messages) != 1 || n.Messages[0].Media == nil || strings.TrimSpace(n.Messages[0].Media.ID) == "" {
		return nil, errors.New("media: no media id in the message")
	}
	return n.Messages[0].Media, nil
}
