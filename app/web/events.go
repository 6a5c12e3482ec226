package web

import (
	"fmt"
	"net/http"
	"time"

	"balcao/app/live"
)

// heartbeat keeps idle event streams alive through proxies and lets a
// vanished browser be noticed.
const heartbeat = 20 * time.Second

// streamHub writes the events of sub to w (see stream) and closes sub at the end.
func (s *Server) streamHub(w http.ResponseWriter, r *http.Request, sub *live.Subscription) error {
	defer sub.Close()
	return s.stream(w, r, sub.Ready(), sub.Take)
}

// stream writes server-sent events to w until the client leaves or the server
// begins shutting down: whenever ready fires, the names take returns. Each
// event is only a name; pages listen with hx-trigger="sse:<name>" and fetch
// their fragment.
func (s *Server) stream(w http.ResponseWriter, r *http.Request, ready <-chan struct{}, take func() []string) error {
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	w.WriteHeader(http.StatusOK)
	// A first comment makes the browser report the stream open at once.
	if _, err := fmt.Fprint(w, ": ok\nretry: 3000\n\n"); err != nil {
		return nil
	}
	if err := rc.Flush(); err != nil {
		return fmt.Errorf("event stream: %w", err)
	}
	tick := time.NewTicker(heartbeat)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return nil
		case <-s.Closing():
			return nil
		case <-tick.C:
			if _, err := fmt.Fprint(w, ": ping\n\n"); err != nil {
				return nil
			}
		case <-ready:
			for _, name := range take() {
				if _, err := fmt.Fprintf(w, "event: %s\ndata: %s\n\n", name, name); err != nil {
					return nil
				}
			}
		}
		if err := rc.Flush(); err != nil {
			return nil
		}
	}
}
