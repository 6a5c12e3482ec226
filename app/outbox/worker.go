package outbox

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"math"
	"math/rand/v2"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"balcao/app/store"
	"balcao/app/whatsapp"
)

// Options tune a Worker. Zero values get the defaults named on each field.
type Options struct {
	// Rate is the most messages sent per second (BALCAO_WA_RATE); default 80.
	Rate float64
	// MaxInFlight bounds the requests running at once; default max(8, Rate),
	// enough to hold the rate with a one-second API latency.
	MaxInFlight int
	// MaxAttempts bounds the tries of a row that keeps failing transiently
	// (network, 5xx, rate limits) before it is marked failed; default 10.
	MaxAttempts int
	// ContactAttempts bounds the tries of a row paced by 131056; default 30.
	ContactAttempts int
	// BaseBackoff is the first retry's ceiling, doubling per attempt; default 2 s.
	BaseBackoff time.Duration
	// MaxBackoff caps the retry ceiling; default 10 min.
	MaxBackoff time.Duration
	// PairInterval is how long a citizen's line waits after 131056;
	// default whatsapp.PairRateInterval.
	PairInterval time.Duration
	// ProbeEvery is how often a stopped worker tries one row again; default 1 min.
	ProbeEvery time.Duration
	// Poll is the longest idle sleep, a safety net for rows queued by
	// someone who did not call Wake; default 1 s.
	Poll time.Duration
	// SendTimeout bounds one row's upload and send; default 2 min.
	SendTimeout time.Duration
	// Template is the approved template's name, quoted to the clerk after 131047.
	Template string
	// OnAlert is told when the alert is raised or cleared. It must not block.
	OnAlert func(Alert)
	// OnRecorded is told after the outcome of a message row (not a read
	// receipt) was recorded, e.g. to refresh the panel. It must not block.
	OnRecorded func(messageID int64)
	// OnSend is told the outcome of every send attempt, e.g. for metrics:
	// the message type ("read" for a read receipt), the result (Sent…) and
	// the Cloud API error code (0 when sent, or for a network error). It
	// must not block.
	OnSend func(msgType, result string, code int)
}

// Results of a send attempt, as OnSend is told them.
const (
	Sent    = "sent"
	Retried = "retry"
	Failed  = "failed"
	// Stopped: WhatsApp refused the account or the token; the row waits.
	Stopped = "stopped"
)

func (o *Options) defaults() {
	if o.Rate <= 0 {
		o.Rate = 80
	}
	if o.MaxInFlight <= 0 {
		o.MaxInFlight = max(8, int(math.Ceil(o.Rate)))
	}
	setDur := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 10
	}
	if o.ContactAttempts <= 0 {
		o.ContactAttempts = 30
	}
	setDur(&o.BaseBackoff, 2*time.Second)
	setDur(&o.MaxBackoff, 10*time.Minute)
	setDur(&o.PairInterval, whatsapp.PairRateInterval)
	setDur(&o.ProbeEvery, time.Minute)
	setDur(&o.Poll, time.Second)
	setDur(&o.SendTimeout, 2*time.Minute)
}

// claimBatch bounds the rows claimed by one transaction.
const claimBatch = 64

// Worker sends the outbox. Create it with New and run it with Run.
type Worker struct {
	store   *store.Store
	client  *whatsapp.Client
	log     *slog.Logger
	opts    Options
	limiter *rate.Limiter
	// slots holds a token per request in flight (MaxInFlight).
	slots chan struct{}
	wake  chan struct{}
	kick  chan struct{}

	mu        sync.Mutex
	alert     Alert
	probeAt   time.Time
	holdUntil time.Time
	rateHits  int

	inflight sync.WaitGroup
}

// New returns a worker that sends st's outbox through client.
func New(st *store.Store, client *whatsapp.Client, log *slog.Logger, opts Options) *Worker {
	opts.defaults()
	// The bucket holds a few tokens (1/25 s worth) so that a late timer
	// does not lose rate, without letting a backlog leave in one burst.
	burst := max(2, int(math.Ceil(opts.Rate/25)))
	return &Worker{
		store: st, client: client, log: log.With("component", "outbox"), opts: opts,
		limiter: rate.NewLimiter(rate.Limit(opts.Rate), burst),
		slots:   make(chan struct{}, opts.MaxInFlight),
		wake:    make(chan struct{}, 1),
		kick:    make(chan struct{}, 1),
	}
}

// Wake tells the worker a row was queued; it never blocks.
func (w *Worker) Wake() { signal(w.wake) }

// Resume makes a stopped worker try again now instead of at the next probe
// (an administrator fixed the token). It never blocks.
func (w *Worker) Resume() {
	w.mu.Lock()
	w.probeAt = time.Time{}
	w.mu.Unlock()
	signal(w.kick)
}

func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// Run sends until ctx ends, then waits for the requests in flight and
// records their outcome before returning. It first turns rows left in flight
// by a crash into "unknown" (see the package comment); nothing is sent before
// that has succeeded.
func (w *Worker) Run(ctx context.Context) {
	if !w.recover(ctx) {
		return
	}
	if w.client.AccessToken == "" || w.client.PhoneNumberID == "" {
		w.log.Warn("WhatsApp is not configured (BALCAO_WA_ACCESS_TOKEN, BALCAO_WA_PHONE_NUMBER_ID): messages wait in the outbox")
		w.setAlert(Alert{Stopped: true, Text: textNotConfigured})
		<-ctx.Done()
		return
	}
	defer w.inflight.Wait()
	for ctx.Err() == nil {
		if w.Stopped() {
			w.probe(ctx)
			continue
		}
		if d := w.holdLeft(); d > 0 {
			sleep(ctx, d, nil)
			continue
		}
		n, err := w.dispatch(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			w.log.Error("claiming outbox rows", "err", err)
			sleep(ctx, time.Second, nil)
		case n == 0 && ctx.Err() == nil:
			w.idle(ctx)
		}
	}
}

func (w *Worker) recover(ctx context.Context) bool {
	for {
		n, err := w.store.RecoverInflight(ctx)
		if err == nil {
			if n > 0 {
				w.log.Warn("sends interrupted by a stop were marked unknown; clerks see them with a resend button", "rows", n)
			}
			return true
		}
		if ctx.Err() != nil {
			return false
		}
		w.log.Error("recovering in-flight outbox rows; nothing is sent until this works", "err", err)
		if !sleep(ctx, 5*time.Second, nil) {
			return false
		}
	}
}

// dispatch takes rate tokens and free slots, claims as many due rows and
// starts their sends. It returns how many rows it started.
func (w *Worker) dispatch(ctx context.Context) (int, error) {
	select {
	case w.slots <- struct{}{}:
	case <-ctx.Done():
		return 0, nil
	}
	if err := w.limiter.Wait(ctx); err != nil {
		<-w.slots
		return 0, nil
	}
	// Take whatever further tokens and slots are free right now, so a backlog
	// is claimed in small batches rather than one transaction per row.
	n := 1
more:
	for n < claimBatch {
		select {
		case w.slots <- struct{}{}:
		default:
			break more
		}
		if !w.limiter.Allow() {
			<-w.slots
			break
		}
		n++
	}
	items, err := w.store.ClaimDue(ctx, n)
	for range n - len(items) {
		<-w.slots
	}
	for _, it := range items {
		w.inflight.Add(1)
		go func() {
			defer w.inflight.Done()
			w.process(it, false)
			<-w.slots
			w.Wake() // the citizen's next row may be due now
		}()
	}
	return len(items), err
}

// idle sleeps until the next row is due, a Wake, or Poll.
func (w *Worker) idle(ctx context.Context) {
	d := w.opts.Poll
	next, err := w.store.NextDue(ctx)
	if err != nil && ctx.Err() == nil {
		w.log.Warn("outbox: next due", "err", err)
	}
	if next > 0 {
		d = min(d, time.Duration(next-w.store.Now())*time.Millisecond)
	}
	if d > 0 {
		sleep(ctx, d, w.wake)
	}
}

// probe waits for the next probe time while sending is stopped, then tries
// one row; any answer but another fatal error resumes sending.
func (w *Worker) probe(ctx context.Context) {
	w.mu.Lock()
	d := time.Until(w.probeAt)
	w.mu.Unlock()
	if d > 0 {
		sleep(ctx, d, w.kick)
		return
	}
	if err := w.limiter.Wait(ctx); err != nil {
		return
	}
	items, err := w.store.ClaimDue(ctx, 1)
	if err != nil || len(items) == 0 {
		// Nothing to try with: look again at the next probe.
		w.mu.Lock()
		w.probeAt = time.Now().Add(w.opts.ProbeEvery)
		w.mu.Unlock()
		return
	}
	w.log.Info("sending is stopped; trying one message", "outbox", items[0].ID)
	w.process(items[0], true)
}

// process sends one claimed row and records the outcome. A send that has
// started is finished and recorded even while the worker stops: abandoning
// it would leave its outcome unknown.
func (w *Worker) process(it store.OutboxItem, probing bool) {
	ctx, cancel := context.WithTimeout(context.Background(), w.opts.SendTimeout)
	defer cancel()
	if !probing && w.Stopped() {
		// Claimed just before sending stopped: back in line, untried.
		w.retryRecord(func() error {
			return w.store.ReleaseClaim(ctx, it.ID, w.Alert().Code, textWaitingStopped)
		}, it)
		return
	}
	var m whatsapp.OutMessage
	if err := json.Unmarshal([]byte(it.Payload), &m); err != nil {
		w.log.Error("outbox payload is not a message", "outbox", it.ID, "err", err)
		if w.opts.OnSend != nil {
			w.opts.OnSend("", Failed, 0)
		}
		w.recordFailed(ctx, it, 0, textBadPayload)
		return
	}
	media, err := w.resolveMedia(ctx, &m)
	var wamid string
	if err == nil {
		wamid, err = w.client.Send(ctx, m)
	}
	w.record(ctx, it, m, media, wamid, err)
	if probing && whatsapp.Classify(err) != whatsapp.Fatal && w.Stopped() {
		// Any answer but a fatal one means WhatsApp takes requests again.
		w.setAlert(Alert{})
	}
}

// record writes the outcome of one send.
func (w *Worker) record(ctx context.Context, it store.OutboxItem, m whatsapp.OutMessage, media localMedia, wamid string, err error) {
	code := errorCode(err)
	class := whatsapp.Classify(err)
	if errors.Is(err, errMediaMissing) {
		class = whatsapp.Permanent
	}
	log := w.log.With("outbox", it.ID, "to", it.ToWaID, "kind", it.Kind, "attempt", it.Attempts)
	w.observe(m, class, code, it.Attempts)
	switch class {
	case whatsapp.None:
		// The alerts follow WhatsApp's answer first, then the row is recorded.
		w.sent(m)
		w.retryRecord(func() error { return w.store.MarkSent(ctx, it.ID, wamid) }, it)
	case whatsapp.Retry:
		w.noteRateLimit(code)
		if it.Attempts >= w.opts.MaxAttempts {
			log.Warn("giving up after transient errors", "err", err)
			w.recordFailed(ctx, it, code, gaveUpText(it.Attempts, code))
			return
		}
		next := w.store.Now() + w.backoff(it.Attempts).Milliseconds()
		log.Info("send failed, will retry", "err", err, "in", time.Duration(next-w.store.Now())*time.Millisecond)
		w.retryRecord(func() error { return w.store.MarkRetry(ctx, it.ID, next, code, whatsapp.DescribeError(err)) }, it)
	case whatsapp.RetryContact:
		if it.Attempts >= w.opts.ContactAttempts {
			w.recordFailed(ctx, it, code, gaveUpText(it.Attempts, code))
			return
		}
		// The citizen's whole line waits (ClaimDue keeps it in order);
		// a little jitter keeps paced citizens from lining up.
		wait := w.opts.PairInterval + rand.N(w.opts.PairInterval/4+1)
		log.Info("too many messages to this citizen; pacing their line", "wait", wait)
		next := w.store.Now() + wait.Milliseconds()
		w.retryRecord(func() error { return w.store.MarkRetry(ctx, it.ID, next, code, whatsapp.DescribeError(err)) }, it)
	case whatsapp.Window:
		w.recordFailed(ctx, it, code, windowText(w.opts.Template))
	case whatsapp.TemplateProblem:
		log.Error("template refused by WhatsApp", "err", err)
		w.raise(Alert{Code: code, Text: templateAlertText(templateName(m), code)})
		w.recordFailed(ctx, it, code, whatsapp.DescribeError(err))
	case whatsapp.Fatal:
		w.stop(code, err)
		w.retryRecord(func() error { return w.store.ReleaseClaim(ctx, it.ID, code, textWaitingStopped) }, it)
	default: // Permanent
		if media.usedCache {
			// WhatsApp forgets uploads after a while: upload again once.
			log.Info("cached media id refused; uploading again", "media", media.id, "err", err)
			if e := w.store.Media.SetWAMediaID(ctx, media.id, ""); e == nil && it.Attempts < w.opts.MaxAttempts {
				w.retryRecord(func() error { return w.store.MarkRetry(ctx, it.ID, w.store.Now(), code, whatsapp.DescribeError(err)) }, it)
				return
			}
		}
		log.Warn("message refused", "err", err)
		text := whatsapp.DescribeError(err)
		if errors.Is(err, errMediaMissing) {
			text = textMediaMissing
		}
		w.recordFailed(ctx, it, code, text)
	}
}

// observe tells OnSend the outcome of one attempt, as record will write it.
func (w *Worker) observe(m whatsapp.OutMessage, class whatsapp.Class, code, attempts int) {
	if w.opts.OnSend == nil {
		return
	}
	result := Failed
	switch class {
	case whatsapp.None:
		result = Sent
	case whatsapp.Retry:
		if attempts < w.opts.MaxAttempts {
			result = Retried
		}
	case whatsapp.RetryContact:
		if attempts < w.opts.ContactAttempts {
			result = Retried
		}
	case whatsapp.Fatal:
		result = Stopped
	}
	w.opts.OnSend(outType(m), result, code)
}

// outType is the message type of m for OnSend.
func outType(m whatsapp.OutMessage) string {
	if m.Type == "" && m.Status != "" {
		return "read"
	}
	return m.Type
}

func (w *Worker) recordFailed(ctx context.Context, it store.OutboxItem, code int, text string) {
	w.retryRecord(func() error { return w.store.MarkFailed(ctx, it.ID, code, text) }, it)
}

// retryRecord runs a store write a few times: a row left in flight would
// hold its citizen's line until the next restart.
func (w *Worker) retryRecord(write func() error, it store.OutboxItem) {
	var err error
	for i := range 5 {
		if err = write(); err == nil {
			if it.MessageID != 0 && w.opts.OnRecorded != nil {
				w.opts.OnRecorded(it.MessageID)
			}
			return
		}
		time.Sleep(time.Duration(i+1) * 200 * time.Millisecond)
	}
	w.log.Error("outcome of a send not recorded; the row shows as unknown after the next restart", "outbox", it.ID, "err", err)
}

// backoff is the wait before retry attempt+1: full jitter over an
// exponentially growing ceiling (attempt counts from 1).
func (w *Worker) backoff(attempt int) time.Duration {
	ceiling := w.opts.BaseBackoff << min(max(attempt-1, 0), 30)
	if ceiling <= 0 || ceiling > w.opts.MaxBackoff {
		ceiling = w.opts.MaxBackoff
	}
	return rand.N(ceiling) + time.Millisecond
}

// rateLimitCodes are account-wide throughput errors: every send waits a moment.
var rateLimitCodes = map[int]bool{4: true, 613: true, 80007: true, 130429: true}

// noteRateLimit holds all sending for a growing, jittered moment after a
// throughput error. Errors that arrive while already holding belong to the
// same burst and do not lengthen it.
func (w *Worker) noteRateLimit(code int) {
	if !rateLimitCodes[code] {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	now := time.Now()
	if now.Before(w.holdUntil) {
		return
	}
	w.rateHits++
	ceiling := min(w.opts.BaseBackoff<<min(w.rateHits-1, 20), 30*time.Second)
	d := ceiling/2 + rand.N(ceiling/2+1)
	w.holdUntil = now.Add(d)
	w.log.Warn("WhatsApp rate limit hit; holding all sends", "code", code, "for", d)
}

func (w *Worker) holdLeft() time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return time.Until(w.holdUntil)
}

// sent notes a success: the rate-limit streak ends, and an alert about the
// template of a template message that went through is cleared.
func (w *Worker) sent(m whatsapp.OutMessage) {
	w.mu.Lock()
	w.rateHits = 0
	clear := w.alert.Active() && !w.alert.Stopped && m.Template != nil
	w.mu.Unlock()
	if clear {
		w.setAlert(Alert{})
	}
}

// sleep waits d, ctx's end or a signal on ch (nil: none). It reports whether ctx is still alive.
func sleep(ctx context.Context, d time.Duration, ch <-chan struct{}) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
	case <-ch:
	}
	return true
}

// errorCode is the Cloud API code of err, or 0.
func errorCode(err error) int {
	var ae *whatsapp.APIError
	if errors.As(err, &ae) {
		return ae.Code
	}
	return 0
}

func templateName(m whatsapp.OutMessage) string {
	if m.Template != nil {
		return m.Template.Name
	}
	return ""
}
