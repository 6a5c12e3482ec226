// Package ingest turns verified webhook notifications into committed rows.
// Concurrent webhooks are grouped into one SQLite transaction (group commit):
// each request still waits for its own commit before it is answered, so a 200
// always means "stored", and the write cost is shared by everyone in the batch.
package ingest

import (
	"context"
	"errors"
	"log/slog"
	"runtime"
	"time"

	"balcao/app/store"
	"balcao/app/whatsapp"
)

// ErrStopped is returned when the committer is no longer running.
var ErrStopped = errors.New("ingest: stopped")

// MaxBatch bounds how many deliveries share one transaction.
const MaxBatch = 256

// Committer writes webhook deliveries in shared transactions.
type Committer struct {
	store *store.Store
	log   *slog.Logger
	// OnCommit is called after a commit that stored new messages.
	onCommit func()
	// onStatuses is told the wamids of committed status updates (live ticks).
	onStatuses func(wamids []string)
	reqs       chan *request
	stopped    chan struct{}
}

type request struct {
	d    store.WebhookDelivery
	done chan error
}

// NewCommitter returns a committer; call Run to start it.
func NewCommitter(st *store.Store, log *slog.Logger, onCommit func()) *Committer {
	if onCommit == nil {
		onCommit = func() {}
	}
	return &Committer{store: st, log: log, onCommit: onCommit, reqs: make(chan *request, MaxBatch), stopped: make(chan struct{})}
}

// OnStatuses installs fn, called after each commit with the wamids of the
// status updates it stored (duplicates included). Set it before Run; fn must
// not block, since the next batch waits for it.
func (c *Committer) OnStatuses(fn func(wamids []string)) { c.onStatuses = fn }

// Submit stores n (with its raw body) and returns once it is committed.
func (c *Committer) Submit(ctx context.Context, body []byte, n *whatsapp.Notification) error {
	r := &request{d: Delivery(body, n), done: make(chan error, 1)}
	select {
	case c.reqs <- r:
	case <-c.stopped:
		return ErrStopped
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-r.done:
		return err
	case <-ctx.Done():
		// It may still commit; the sender will retry and the retry is deduplicated.
		return ctx.Err()
	}
}

// Run commits batches until ctx ends; requests queued then are still answered.
func (c *Committer) Run(ctx context.Context) {
	defer close(c.stopped)
	batch := make([]*request, 0, MaxBatch)
	for {
		select {
		case <-ctx.Done():
			c.drain()
			return
		case r := <-c.reqs:
			batch = append(batch[:0], r)
		}
		// Take what is queued; yield once so that handlers already past
		// parsing can join, which makes batches larger under load at no cost
		// when idle (a commit's fixed cost is several messages' worth).
		yielded := false
	collect:
		for len(batch) < MaxBatch {
			select {
			case r := <-c.reqs:
				batch = append(batch, r)
			default:
				if yielded {
					break collect
				}
				yielded = true
				runtime.Gosched()
			}
		}
		c.commit(batch)
	}
}

// drain answers whatever is still queued at shutdown.
func (c *Committer) drain() {
	for {
		select {
		case r := <-c.reqs:
			c.commit([]*request{r})
		default:
			return
		}
	}
}

func (c *Committer) commit(batch []*request) {
	ds := make([]store.WebhookDelivery, len(batch))
	for i, r := range batch {
		ds[i] = r.d
	}
	// The batch must not die with a caller's cancelled request.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	n, err := c.store.SaveWebhooks(ctx, ds)
	if err != nil && len(batch) > 1 {
		// Isolate the delivery that failed so the others are still stored.
		c.log.Warn("group commit failed, retrying one by one", "size", len(batch), "err", err)
		for _, r := range batch {
			c.commit([]*request{r})
		}
		return
	}
	if err != nil {
		c.log.Error("webhook not stored", "err", err)
	}
	for _, r := range batch {
		r.done <- err
	}
	if n > 0 {
		c.onCommit()
	}
	if err == nil && c.onStatuses != nil {
		var wamids []string
		for _, d := range ds {
			for _, st := range d.Statuses {
				wamids = append(wamids, st.WAMID)
			}
		}
		if len(wamids) > 0 {
			c.onStatuses(wamids)
		}
	}
}
