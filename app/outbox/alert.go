package outbox

import (
	"time"
)

// Alert is a problem with the WhatsApp account that only an administrator
// can fix. The zero Alert means all is well.
type Alert struct {
	// Stopped is true when nothing is sent until it is fixed (190, 368…).
	Stopped bool
	// Code is the Cloud API error code.
	Code int
	// Text is the pt-BR warning for the panel's banner.
	Text string
	// Since is when the alert was raised.
	Since time.Time
}

// Active reports whether there is something to show.
func (a Alert) Active() bool { return a.Text != "" }

// Alert returns the current alert (the zero Alert when none).
func (w *Worker) Alert() Alert {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.alert
}

// Banner returns the alert's pt-BR text, or "" when all is well; it suits
// web.Server.AddBanner.
func (w *Worker) Banner() string { return w.Alert().Text }

// Stopped reports whether sending is stopped until an administrator acts.
func (w *Worker) Stopped() bool { return w.Alert().Stopped }

// stop stops all sending after a fatal error and schedules the first probe.
func (w *Worker) stop(code int, err error) {
	w.mu.Lock()
	already := w.alert.Stopped
	w.probeAt = time.Now().Add(w.opts.ProbeEvery)
	w.mu.Unlock()
	if already {
		w.log.Warn("sending still stopped", "code", code, "err", err, "next_try", w.opts.ProbeEvery)
		return
	}
	w.log.Error("WhatsApp refused the account: sending stopped, messages kept in the queue; an administrator must act",
		"code", code, "err", err, "next_try", w.opts.ProbeEvery)
	w.setAlert(Alert{Stopped: true, Code: code, Text: stoppedAlertText(code)})
}

// raise shows a non-stopping alert, unless sending is stopped (that one matters more).
func (w *Worker) raise(a Alert) {
	if w.Stopped() {
		return
	}
	w.setAlert(a)
}

// setAlert replaces the alert and tells OnAlert; a stopped worker that is
// given the zero Alert resumes sending.
func (w *Worker) setAlert(a Alert) {
	if a.Active() {
		a.Since = time.Now()
	}
	w.mu.Lock()
	was := w.alert
	if was.Code == a.Code && was.Stopped == a.Stopped && was.Text == a.Text {
		w.mu.Unlock()
		return
	}
	w.alert = a
	w.mu.Unlock()
	if was.Stopped && !a.Stopped {
		w.log.Info("WhatsApp accepts messages again: sending resumed")
		w.Wake()
	}
	if w.opts.OnAlert != nil {
		w.opts.OnAlert(a)
	}
}
