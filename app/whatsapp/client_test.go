package whatsapp

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

const testPhoneID = "106540352242922"

// newTestClient serves h under /v25.0 and returns a Client pointed at it.
func newTestClient(t *testing.T, h http.HandlerFunc) (*Client, *httptest.Server) {
	t.Helper()
	srv := httptest.NewServer(http.StripPrefix("/v25.0", h))
	t.Cleanup(srv.Close)
	return &Client{BaseURL: srv.URL + "/v25.0/", AccessToken: "EAAG-token", PhoneNumberID: testPhoneID, HTTP: srv.Client()}, srv
}

func TestClientSend(t *testing.T) {
	var gotBody []byte
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/"+testPhoneID+"/messages" {
			t.Errorf("request %s %s", r.Method, r.URL.Path)
		}
		if r.Header.Get("Authorization") != "Bearer EAAG-token" || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("headers %v", r.Header)
		}
		gotBody, _ = io.ReadAll(r.Body)
		fmt.Fprint(w, `{"messaging_product":"whatsapp","contacts":[{"input":"+5517988887777","wa_id":"5517988887777"}],"messages":[{"id":"wamid.HBgNOK==","message_status":"accepted"}]}`)
	})
	m := Text(citizen, "Seu protocolo é 2026 000123-4")
	m.MessagingProduct = "" // Send fills it in
	id, err := c.Send(context.Background(), m)
	if err != nil || id != "wamid.HBgNOK==" {
		t.Fatalf("Send = %q, %v", id, err)
	}
	var back OutMessage
	if err := json.Unmarshal(gotBody, &back); err != nil || back.MessagingProduct != "whatsapp" || back.Text.Body != "Seu protocolo é 2026 000123-4" {
		t.Errorf("body %s", gotBody)
	}
}

func TestClientMarkRead(t *testing.T) {
	answer := `{"success":true}`
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if string(b) != `{"messaging_product":"whatsapp","status":"read","message_id":"wamid.IN"}` {
			t.Errorf("body %s", b)
		}
		fmt.Fprint(w, answer)
	})
	if id, err := c.Send(context.Background(), MarkRead("wamid.IN")); err != nil || id != "" {
		t.Errorf("Send(MarkRead) = %q, %v", id, err)
	}
	answer = `{"success":false}`
	if _, err := c.Send(context.Background(), MarkRead("wamid.IN")); !errors.Is(err, ErrUnexpectedResponse) {
		t.Errorf("Send(MarkRead) without success = %v", err)
	}
}

func TestClientSendInvalidSendsNothing(t *testing.T) {
	var calls atomic.Int32
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) { calls.Add(1) })
	_, err := c.Send(context.Background(), Buttons(citizen, "x", Button{"a", "A"}, Button{"b", "A"}))
	if !errors.Is(err, ErrInvalidMessage) || Classify(err) != Permanent || calls.Load() != 0 {
		t.Errorf("Send = %v (class %v), %d calls", err, Classify(err), calls.Load())
	}
}

func graphError(code int, msg, details string) string {
	return fmt.Sprintf(`{"error":{"message":"(#%d) %s","type":"OAuthException","code":%d,"error_data":{"messaging_product":"whatsapp","details":%q},"fbtrace_id":"Atrace%d"}}`, code, msg, code, details, code)
}

func TestClientSendErrors(t *testing.T) {
	tests := []struct {
		name    string
		status  int
		body    string
		code    int
		class   Class
		details string
	}{
		{"130429 fixture", 400, string(fixture(t, "error_130429.json")), 130429, Retry, "Cloud API message throughput has been reached."},
		{"190 fixture", 401, string(fixture(t, "error_190.json")), 190, Fatal, ""},
		{"131047 with string code", 400, string(fixture(t, "error_131047_title.json")), 131047, Window, "Message failed to send because more than 24 hours have passed since the customer last replied to this number."},
		{"80007", 400, graphError(80007, "Rate limit issues", "throughput"), 80007, Retry, "throughput"},
		{"131056", 400, graphError(131056, "(Business Account, Consumer Account) pair rate limit hit", "Too many messages"), 131056, RetryContact, "Too many messages"},
		{"368", 403, graphError(368, "Temporarily blocked for policies violations", "blocked"), 368, Fatal, "blocked"},
		{"131026", 400, graphError(131026, "Message Undeliverable", "not on WhatsApp"), 131026, Permanent, "not on WhatsApp"},
		{"100", 400, graphError(100, "Invalid parameter", "text too long"), 100, Permanent, "text too long"},
		{"132001", 404, graphError(132001, "Template name does not exist in the translation", "pt_BR"), 132001, TemplateProblem, "pt_BR"},
		{"131000 as 500", 500, graphError(131000, "Something went wrong", "retry"), 131000, Retry, "retry"},
		{"proxy 502 page", 502, string(fixture(t, "error_proxy_502.html")), 0, Retry, ""},
		{"500 empty", 500, "", 0, Retry, ""},
		{"403 not JSON", 403, "forbidden", 0, Permanent, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("X-FB-Trace-ID", "HeaderTrace")
				w.WriteHeader(tt.status)
				fmt.Fprint(w, tt.body)
			})
			id, err := c.Send(context.Background(), Text(citizen, "oi"))
			var ae *APIError
			if id != "" || !errors.As(err, &ae) {
				t.Fatalf("Send = %q, %v; want an *APIError", id, err)
			}
			if ae.Code != tt.code || ae.HTTPStatus != tt.status || ae.Details != tt.details || Classify(err) != tt.class {
				t.Errorf("APIError = %+v, class %v; want code %d, class %v, details %q", ae, Classify(err), tt.code, tt.class, tt.details)
			}
			if ae.FBTraceID == "" {
				t.Error("FBTraceID empty")
			}
			if tt.code != 0 && (ae.Type != "OAuthException" || ae.Message == "") {
				t.Errorf("Type/Message = %q/%q", ae.Type, ae.Message)
			}
		})
	}
}

func TestClientSend190Subcode(t *testing.T) {
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(401)
		w.Write(fixture(t, "error_190.json"))
	})
	_, err := c.Send(context.Background(), Text(citizen, "oi"))
	var ae *APIError
	if !errors.As(err, &ae) || ae.Subcode != 463 || ae.FBTraceID != "Azz9yy8XX7" {
		t.Errorf("err = %+v", ae)
	}
}

func TestClientNotConfigured(t *testing.T) {
	ctx := context.Background()
	for _, c := range []*Client{{PhoneNumberID: testPhoneID}, {BaseURL: "http://127.0.0.1:1"}} {
		_, err := c.Send(ctx, Text(citizen, "oi"))
		_, uerr := c.UploadMedia(ctx, "image/png", "a.png", nil)
		if !errors.Is(err, ErrNotConfigured) || !errors.Is(uerr, ErrNotConfigured) || Classify(err) != Fatal {
			t.Errorf("%+v: Send = %v, UploadMedia = %v", c, err, uerr)
		}
	}
	if _, err := (&Client{}).MediaInfo(ctx, "1"); !errors.Is(err, ErrNotConfigured) {
		t.Errorf("MediaInfo = %v", err)
	}
}

func TestClientSendUnreadableSuccess(t *testing.T) {
	for _, body := range []string{"<html>ok</html>", `{"messages":[]}`, `{}`} {
		c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, body) })
		if _, err := c.Send(context.Background(), Text(citizen, "oi")); !errors.Is(err, ErrUnexpectedResponse) || Classify(err) != Permanent {
			t.Errorf("body %s: Send = %v", body, err)
		}
	}
}

func TestClientSendTimeoutAndNetwork(t *testing.T) {
	release := make(chan struct{})
	c, srv := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := c.Send(ctx, Text(citizen, "oi"))
	if !errors.Is(err, context.DeadlineExceeded) || Classify(err) != Retry {
		t.Errorf("timeout: %v (class %v)", err, Classify(err))
	}
	down := &Client{BaseURL: "http://127.0.0.1:1/v25.0", PhoneNumberID: testPhoneID, HTTP: srv.Client()}
	if _, err := down.Send(context.Background(), Text(citizen, "oi")); err == nil || Classify(err) != Retry {
		t.Errorf("connection refused: %v (class %v)", err, Classify(err))
	}
}

// mediaServer serves one media object the way the Graph API does; the first
// expire downloads answer 404 as an expired URL would.
type mediaServer struct {
	data     []byte
	sha      string
	size     string // JSON literal for file_size
	expire   int32
	infos    atomic.Int32
	download atomic.Int32
}

func (m *mediaServer) handler(t *testing.T, base *string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer EAAG-token" {
			w.WriteHeader(401)
			return
		}
		switch r.URL.Path {
		case "/987654321":
			n := m.infos.Add(1)
			fmt.Fprintf(w, `{"messaging_product":"whatsapp","url":"%s/v25.0/dl/987654321?v=%d","mime_type":"image/jpeg","sha256":%q,"file_size":%s,"id":"987654321"}`, *base, n, m.sha, m.size)
		case "/dl/987654321":
			if m.download.Add(1) <= m.expire {
				w.WriteHeader(404)
				return
			}
			w.Header().Set("Content-Type", "image/jpeg")
			w.Write(m.data)
		default:
			w.WriteHeader(404)
			fmt.Fprint(w, graphError(100, "Unsupported get request", "no such object"))
		}
	}
}

func TestClientFetchMedia(t *testing.T) {
	data := []byte("\xff\xd8\xff\xe0 fake jpeg bytes")
	sum := sha256.Sum256(data)
	hexSum, b64Sum := hex.EncodeToString(sum[:]), base64.StdEncoding.EncodeToString(sum[:])
	tests := []struct {
		name      string
		sha       string
		size      string
		expire    int32
		max       int64
		wantErr   error
		downloads int32
	}{
		{name: "hex checksum", sha: hexSum, size: "22", downloads: 1},
		{name: "base64 checksum, size as string", sha: b64Sum, size: `"22"`, downloads: 1},
		{name: "uppercase hex", sha: strings.ToUpper(hexSum), size: "22", downloads: 1},
		{name: "no checksum", sha: "", size: "22", downloads: 1},
		{name: "expired URL is asked again once", sha: hexSum, size: "22", expire: 1, downloads: 2},
		{name: "expired twice gives up", sha: hexSum, size: "22", expire: 2, downloads: 2, wantErr: &APIError{}},
		{name: "checksum mismatch", sha: strings.Repeat("0", 64), size: "22", downloads: 1, wantErr: ErrChecksum},
		{name: "announced too large", sha: hexSum, size: "5000000", max: 1000, downloads: 0, wantErr: ErrTooLarge},
		{name: "streamed too large", sha: hexSum, size: "1", max: 10, downloads: 1, wantErr: ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ms := &mediaServer{data: data, sha: tt.sha, size: tt.size, expire: tt.expire}
			var base string
			c, srv := newTestClient(t, ms.handler(t, &base))
			base = srv.URL
			info, got, err := c.FetchMedia(context.Background(), "987654321", tt.max)
			switch want := tt.wantErr; {
			case want == nil && err != nil:
				t.Fatalf("FetchMedia: %v", err)
			case want == nil && (string(got) != string(data) || info.MimeType != "image/jpeg" || info.FileSize != 22 || info.ID != "987654321"):
				t.Errorf("FetchMedia = %+v, %q", info, got)
			case want != nil:
				var ae *APIError
				if _, isAPI := want.(*APIError); isAPI && !errors.As(err, &ae) || !isAPI && !errors.Is(err, want) {
					t.Errorf("FetchMedia error = %v, want %v", err, want)
				}
			}
			if d := ms.download.Load(); d != tt.downloads {
				t.Errorf("%d downloads, want %d", d, tt.downloads)
			}
		})
	}
}

func TestClientMediaInfoUnknown(t *testing.T) {
	var base string
	ms := &mediaServer{}
	c, srv := newTestClient(t, ms.handler(t, &base))
	base = srv.URL
	_, err := c.MediaInfo(context.Background(), "missing")
	var ae *APIError
	if !errors.As(err, &ae) || ae.Code != 100 || ae.HTTPStatus != 404 {
		t.Errorf("MediaInfo = %v", err)
	}
	noToken := *c
	noToken.AccessToken = ""
	if _, err := noToken.Download(context.Background(), srv.URL+"/v25.0/dl/987654321", 0); !errors.As(err, &ae) || ae.HTTPStatus != 401 {
		t.Errorf("Download without token = %v", err)
	}
}

func TestClientUploadMedia(t *testing.T) {
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/"+testPhoneID+"/media" || r.Header.Get("Authorization") != "Bearer EAAG-token" {
			t.Errorf("request %s %v", r.URL.Path, r.Header)
		}
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			t.Fatal(err)
		}
		f, h, err := r.FormFile("file")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(f)
		if r.FormValue("messaging_product") != "whatsapp" || r.FormValue("type") != "application/pdf" ||
			h.Filename != `boleto "junho".pdf` || h.Header.Get("Content-Type") != "application/pdf" || string(b) != "%PDF-1.4" {
			t.Errorf("form %v, file %q %v %q", r.MultipartForm.Value, h.Filename, h.Header, b)
		}
		fmt.Fprint(w, `{"id":"1122334455"}`)
	})
	id, err := c.UploadMedia(context.Background(), "application/pdf", `boleto "junho".pdf`, []byte("%PDF-1.4"))
	if err != nil || id != "1122334455" {
		t.Errorf("UploadMedia = %q, %v", id, err)
	}
}

// TestClientUploadMediaWithoutName: the Graph API refuses a file part with no
// name, so an unnamed upload gets one that matches its type.
func TestClientUploadMediaWithoutName(t *testing.T) {
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		_, h, err := r.FormFile("file")
		if err != nil {
			t.Fatal(err)
		}
		if h.Filename != "arquivo.pdf" {
			t.Errorf("file name %q, want arquivo.pdf", h.Filename)
		}
		fmt.Fprint(w, `{"id":"1"}`)
	})
	if _, err := c.UploadMedia(context.Background(), "application/pdf", "", []byte("%PDF-1.4")); err != nil {
		t.Fatal(err)
	}
}
