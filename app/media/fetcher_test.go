package media_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"balcao/app/media"
	"balcao/app/simulator"
	"balcao/app/store"
	"balcao/app/testutil"
	"balcao/app/whatsapp"
)

const (
	testToken = "token-for-tests"
	citizen   = "5517988887777"
)

// rig is a fetcher on a real SQLite store downloading from the simulator over
// real HTTP. While corrupt is above zero, each download has a byte flipped
// on the way, as a broken proxy would, and corrupt goes down by one.
type rig struct {
	t       *testing.T
	st      *store.Store
	sim     *simulator.Simulator
	client  *whatsapp.Client
	f       *media.Fetcher
	fetched chan int64
	corrupt atomic.Int32
	seq     int
}

func newRig(t *testing.T) *rig {
	t.Helper()
	r := &rig{t: t, st: testutil.NewStore(t), fetched: make(chan int64, 64)}
	r.sim = simulator.New(simulator.Options{AccessToken: testToken})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if strings.HasPrefix(req.URL.Path, "/_media/") && r.corrupt.Add(-1) >= 0 {
			w = &corruptingWriter{ResponseWriter: w}
		}
		r.sim.ServeHTTP(w, req)
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(r.sim.Close)
	r.client = &whatsapp.Client{BaseURL: srv.URL, AccessToken: testToken, PhoneNumberID: r.sim.PhoneNumberID(),
		HTTP: &http.Client{Timeout: 5 * time.Second}}
	r.f = media.NewFetcher(r.st, r.client, testutil.Logger(t), media.Options{
		BaseBackoff: 10 * time.Millisecond, MaxBackoff: 40 * time.Millisecond, Poll: 50 * time.Millisecond,
		OnFetched: func(id int64) { r.fetched <- id },
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		r.f.Run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return r
}

type corruptingWriter struct {
	http.ResponseWriter
	done bool
}

func (w *corruptingWriter) Write(b []byte) (int, error) {
	if !w.done && len(b) > 0 {
		b = append([]byte(nil), b...)
		b[len(b)/2] ^= 0xff
		w.done = true
	}
	return w.ResponseWriter.Write(b)
}

// inbound puts data at the simulator (as a citizen's upload to Meta) and
// stores the webhook message that announces it, with the given sha256 field.
func (r *rig) inbound(typ, mime, filename string, data []byte, sha string) int64 {
	r.t.Helper()
	ctx := context.Background()
	// An upload needs a file name (an empty one makes the part a plain form field).
	mediaID, err := r.client.UploadMedia(ctx, mime, "upload-"+typ, data)
	if err != nil {
		r.t.Fatal(err)
	}
	obj := map[string]any{"id": mediaID, "mime_type": mime}
	if sha != "" {
		obj["sha256"] = sha
	}
	if filename != "" {
		obj["filename"] = filename
	}
	r.seq++
	wamid := fmt.Sprintf("wamid.IN.media.%d", r.seq)
	item, _ := json.Marshal(map[string]any{"from": citizen, "id": wamid, "timestamp": "1763860000", "type": typ, typ: obj})
	_, err = r.st.SaveWebhooks(ctx, []store.WebhookDelivery{{Body: item,
		Messages: []store.InboundMessage{{WAMID: wamid, WaID: citizen, Type: typ, Payload: string(item)}}}})
	if err != nil {
		r.t.Fatal(err)
	}
	var id int64
	if err := r.st.R.QueryRow(`SELECT id FROM messages WHERE wamid = ?`, wamid).Scan(&id); err != nil {
		r.t.Fatal(err)
	}
	r.f.Wake()
	return id
}

// outcome waits for the fetcher to finish with message id and returns what it recorded.
func (r *rig) outcome(id int64) (mediaID int64, attempts int, errText string) {
	r.t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case got := <-r.fetched:
			if got != id {
				continue
			}
			var m *int64
			err := r.st.R.QueryRow(`SELECT media_id, media_attempts, media_error FROM messages WHERE id = ?`, id).Scan(&m, &attempts, &errText)
			if err != nil {
				r.t.Fatal(err)
			}
			if m != nil {
				mediaID = *m
			}
			return mediaID, attempts, errText
		case <-deadline:
			r.t.Fatalf("message %d: no outcome", id)
		}
	}
}

func hexSum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func b64Sum(b []byte) string {
	s := sha256.Sum256(b)
	return base64.StdEncoding.EncodeToString(s[:])
}

func TestInboundMediaIsDownloadedAndChecked(t *testing.T) {
	jpeg := append([]byte{0xff, 0xd8, 0xff, 0xe0}, bytes.Repeat([]byte("foto do buraco "), 300)...)
	pdf := []byte("%PDF-1.4\nconta de água\n%%EOF\n")
	ogg := append([]byte("OggS"), bytes.Repeat([]byte{1, 2, 3}, 500)...)
	mp4 := append([]byte("\x00\x00\x00\x18ftypmp42"), bytes.Repeat([]byte{9}, 900)...)
	webp := append([]byte("RIFF\x00\x00\x00\x00WEBP"), bytes.Repeat([]byte{4}, 400)...)
	cases := []struct {
		name, typ, mime, filename string
		data                      []byte
		sha                       string
	}{
		{"image with hex sha256", whatsapp.TypeImage, "image/jpeg", "", jpeg, hexSum(jpeg)},
		{"document with base64 sha256", whatsapp.TypeDocument, "application/pdf", "conta.pdf", pdf, b64Sum(pdf)},
		{"voice note", whatsapp.TypeAudio, "audio/ogg; codecs=opus", "", ogg, b64Sum(ogg)},
		{"video without sha256", whatsapp.TypeVideo, "video/mp4", "", mp4, ""},
		{"sticker", whatsapp.TypeSticker, "image/webp", "", webp, hexSum(webp)},
	}
	r := newRig(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			id := r.inbound(c.typ, c.mime, c.filename, c.data, c.sha)
			mediaID, attempts, errText := r.outcome(id)
			if mediaID == 0 || errText != "" || attempts != 1 {
				t.Fatalf("media %d, attempts %d, error %q", mediaID, attempts, errText)
			}
			f, err := r.st.Media.Media(context.Background(), mediaID)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(f.Data, c.data) || f.MimeType != c.mime || f.Filename != c.filename || f.SHA256 != hexSum(c.data) || f.WAMediaID == "" {
				t.Errorf("stored %d bytes %q %q sha %s wa %q", len(f.Data), f.MimeType, f.Filename, f.SHA256, f.WAMediaID)
			}
		})
	}
}

func TestInboundMediaRefusedOrCorrupt(t *testing.T) {
	r := newRig(t)
	img := bytes.Repeat([]byte("x"), 1000)

	t.Run("sha256 in the webhook does not match", func(t *testing.T) {
		id := r.inbound(whatsapp.TypeImage, "image/jpeg", "", img, hexSum([]byte("something else")))
		mediaID, attempts, errText := r.outcome(id)
		if mediaID != 0 || attempts != 3 || !strings.Contains(errText, "corrompido") {
			t.Fatalf("media %d, attempts %d, error %q; want no file after 3 tries, corrupt", mediaID, attempts, errText)
		}
	})
	t.Run("corrupted on the way", func(t *testing.T) {
		r.corrupt.Store(1000)
		defer r.corrupt.Store(0)
		id := r.inbound(whatsapp.TypeImage, "image/jpeg", "", img, b64Sum(img))
		mediaID, attempts, errText := r.outcome(id)
		if mediaID != 0 || attempts != 3 || !strings.Contains(errText, "corrompido") {
			t.Fatalf("media %d, attempts %d, error %q", mediaID, attempts, errText)
		}
	})
	t.Run("corrupted once, then fine", func(t *testing.T) {
		r.corrupt.Store(1)
		id := r.inbound(whatsapp.TypeDocument, "application/pdf", "a.pdf", img, hexSum(img))
		mediaID, attempts, errText := r.outcome(id)
		if mediaID == 0 || errText != "" || attempts != 2 {
			t.Fatalf("media %d, attempts %d, error %q", mediaID, attempts, errText)
		}
	})
	t.Run("sticker over 500 KB", func(t *testing.T) {
		id := r.inbound(whatsapp.TypeSticker, "image/webp", "", bytes.Repeat([]byte{1}, 600<<10), "")
		mediaID, attempts, errText := r.outcome(id)
		if mediaID != 0 || attempts != 1 || !strings.Contains(errText, "500 KB") {
			t.Fatalf("media %d, attempts %d, error %q", mediaID, attempts, errText)
		}
	})
	t.Run("image over 5 MB", func(t *testing.T) {
		id := r.inbound(whatsapp.TypeImage, "image/jpeg", "", bytes.Repeat([]byte{1}, 5<<20+1), "")
		mediaID, attempts, errText := r.outcome(id)
		if mediaID != 0 || attempts != 1 || !strings.Contains(errText, "5 MB") {
			t.Fatalf("media %d, attempts %d, error %q", mediaID, attempts, errText)
		}
	})
	t.Run("expired download URL is asked again", func(t *testing.T) {
		r.sim.SetFault(simulator.Fault{Kind: simulator.FaultMediaExpired, Count: 1})
		id := r.inbound(whatsapp.TypeImage, "image/png", "", img, hexSum(img))
		mediaID, attempts, errText := r.outcome(id)
		if mediaID == 0 || attempts != 1 || errText != "" {
			t.Fatalf("media %d, attempts %d, error %q", mediaID, attempts, errText)
		}
	})
	t.Run("media id unknown to WhatsApp", func(t *testing.T) {
		item := `{"from":"` + citizen + `","id":"wamid.IN.gone","timestamp":"1763860000","type":"image","image":{"id":"123456789","mime_type":"image/jpeg"}}`
		if _, err := r.st.SaveWebhooks(context.Background(), []store.WebhookDelivery{{Body: []byte(item),
			Messages: []store.InboundMessage{{WAMID: "wamid.IN.gone", WaID: citizen, Type: "image", Payload: item}}}}); err != nil {
			t.Fatal(err)
		}
		var id int64
		r.st.R.QueryRow(`SELECT id FROM messages WHERE wamid = 'wamid.IN.gone'`).Scan(&id)
		r.f.Wake()
		mediaID, attempts, errText := r.outcome(id)
		if mediaID != 0 || attempts != 1 || !strings.HasPrefix(errText, "Arquivo não baixado") {
			t.Fatalf("media %d, attempts %d, error %q", mediaID, attempts, errText)
		}
	})
}
