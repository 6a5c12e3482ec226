package simulator

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"balcao/app/whatsapp"
)

// Webhook envelope, in Meta's field order.

type wireEnvelope struct {
	Object string      `json:"object"`
	Entry  []wireEntry `json:"entry"`
}

type wireEntry struct {
	ID      string       `json:"id"`
	Changes []wireChange `json:"changes"`
}

type wireChange struct {
	Value wireValue `json:"value"`
	Field string    `json:"field"`
}

type wireValue struct {
	MessagingProduct string `json:"messaging_product"`
	Metadata         struct {
		DisplayPhoneNumber string `json:"display_phone_number"`
		PhoneNumberID      string `json:"phone_number_id"`
	} `json:"metadata"`
	Contacts []wireContact    `json:"contacts,omitempty"`
	Messages []map[string]any `json:"messages,omitempty"`
	Statuses []wireStatus     `json:"statuses,omitempty"`
}

type wireContact struct {
	Profile struct {
		Name string `json:"name"`
	} `json:"profile"`
	WaID string `json:"wa_id"`
}

type wireStatus struct {
	ID           string            `json:"id"`
	Status       string            `json:"status"`
	Timestamp    string            `json:"timestamp"`
	RecipientID  string            `json:"recipient_id"`
	CallbackData string            `json:"biz_opaque_callback_data,omitempty"`
	Pricing      *wirePricing      `json:"pricing,omitempty"`
	Errors       []wireStatusError `json:"errors,omitempty"`
}

type wirePricing struct {
	Billable     bool   `json:"billable"`
	PricingModel string `json:"pricing_model"`
	Category     string `json:"category"`
	Type         string `json:"type"`
}

type wireStatusError struct {
	Code      int    `json:"code"`
	Title     string `json:"title"`
	Message   string `json:"message"`
	ErrorData struct {
		Details string `json:"details"`
	} `json:"error_data"`
	Href string `json:"href"`
}

const errorCodesHref = "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"

// envelope wraps one value the way Meta does.
func (s *Simulator) envelope(v wireValue) []byte {
	v.MessagingProduct = whatsapp.MessagingProduct
	v.Metadata.DisplayPhoneNumber = s.opts.DisplayPhone
	v.Metadata.PhoneNumberID = s.opts.PhoneNumberID
	b, _ := json.Marshal(wireEnvelope{
		Object: whatsapp.ObjectWhatsApp,
		Entry:  []wireEntry{{ID: s.opts.WABAID, Changes: []wireChange{{Value: v, Field: "messages"}}}},
	})
	return b
}

// statusBody is the notification of one status of a sent message.
func (s *Simulator) statusBody(o *outbound, status string, at time.Time) []byte {
	st := wireStatus{
		ID: o.id, Status: status, Timestamp: strconv.FormatInt(at.Unix(), 10),
		RecipientID: o.waID, CallbackData: o.msg.BizOpaqueCallbackData,
	}
	if status == whatsapp.StatusFailed && o.fail != nil {
		e := wireStatusError{Code: o.fail.Code, Title: o.fail.Message, Message: o.fail.Message, Href: errorCodesHref}
		e.ErrorData.Details = o.fail.Details
		st.Errors = []wireStatusError{e}
	} else if status != whatsapp.StatusFailed {
		st.Pricing = &wirePricing{PricingModel: "PMP", Category: "service", Type: "free_customer_service"}
		if o.msg.Type == whatsapp.TypeTemplate {
			st.Pricing = &wirePricing{Billable: true, PricingModel: "PMP", Category: "utility", Type: "regular"}
		}
	}
	return s.envelope(wireValue{Statuses: []wireStatus{st}})
}

// post sends one signed notification and returns the app's HTTP status and
// the start of its answer.
func (s *Simulator) post(ctx context.Context, body []byte) (int, string, error) {
	s.mu.Lock()
	target := s.webhookURL
	s.mu.Unlock()
	if target == "" {
		return 0, "", errNoWebhook
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return 0, "", fmt.Errorf("simulator: webhook: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "facebookexternalua")
	req.Header.Set(whatsapp.SignatureHeader, whatsapp.Sign(s.opts.AppSecret, body))
	mac := hmac.New(sha1.New, []byte(s.opts.AppSecret)) // Meta still sends the legacy SHA-1 header too
	mac.Write(body)
	req.Header.Set("X-Hub-Signature", "sha1="+hex.EncodeToString(mac.Sum(nil)))

	s.mu.Lock()
	s.stats.attempts++
	s.mu.Unlock()
	resp, err := s.opts.HTTP.Do(req)
	if err != nil {
		return 0, "", fmt.Errorf("simulator: webhook: %w", err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, strings.TrimSpace(string(answer)), nil
}

// deliver posts a status notification until the app answers exactly 200,
// like Meta, with doubling waits and at most MaxAttempts tries.
func (s *Simulator) deliver(body []byte) {
	wait := s.opts.RetryBackoff
	for attempt := 1; ; attempt++ {
		status, _, err := s.post(s.ctx, body)
		if errors.Is(err, errNoWebhook) || s.ctx.Err() != nil {
			return
		}
		if err == nil && status == http.StatusOK {
			s.mu.Lock()
			s.stats.delivered++
			s.mu.Unlock()
			return
		}
		s.log.Warn("webhook not accepted", "attempt", attempt, "status", status, "err", err)
		if attempt >= s.opts.MaxAttempts {
			s.mu.Lock()
			s.stats.gaveUp++
			s.mu.Unlock()
			return
		}
		if !s.sleep(wait) {
			return
		}
		wait *= 2
	}
}

// WebhookError reports that the app did not take a citizen's message.
type WebhookError struct {
	// StatusCode is what the app answered; zero when it could not be reached.
	StatusCode int
	// Body is the start of the app's answer.
	Body string
	// Err is the transport error, if any.
	Err error
}

// Error describes the failure.
func (e *WebhookError) Error() string {
	if e.Err != nil {
		return "simulator: webhook: " + e.Err.Error()
	}
	return fmt.Sprintf("simulator: webhook answered %d: %s", e.StatusCode, e.Body)
}

// Unwrap returns the transport error.
func (e *WebhookError) Unwrap() error { return e.Err }

// VerifyWebhook performs Meta's subscription check against WebhookURL: a GET
// with hub.mode=subscribe, the verify token and a random challenge, which the
// app must echo with 200.
func (s *Simulator) VerifyWebhook(ctx context.Context) error {
	s.mu.Lock()
	target := s.webhookURL
	s.mu.Unlock()
	if target == "" {
		return errNoWebhook
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	challenge := strconv.FormatUint(binary.BigEndian.Uint64(b[:])>>16, 10)
	u, err := url.Parse(target)
	if err != nil {
		return fmt.Errorf("simulator: webhook URL: %w", err)
	}
	q := u.Query()
	q.Set("hub.mode", "subscribe")
	q.Set("hub.verify_token", s.opts.VerifyToken)
	q.Set("hub.challenge", challenge)
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return fmt.Errorf("simulator: verify webhook: %w", err)
	}
	resp, err := s.opts.HTTP.Do(req)
	if err != nil {
		return &WebhookError{Err: err}
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
	if resp.StatusCode != http.StatusOK || string(answer) != challenge {
		return &WebhookError{StatusCode: resp.StatusCode, Body: string(answer)}
	}
	return nil
}

// randomToken returns an unguessable URL-safe token.
func randomToken() string {
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
