package whatsapp

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Client calls the Cloud API endpoints balcao uses. The zero HTTP field uses a
// client with a 30-second timeout; set your own for other timeouts or tests.
// A Client is safe for concurrent use.
type Client struct {
	// BaseURL is the Graph API root with its version, e.g.
	// "https://graph.facebook.com/v25.0" or the simulator's URL.
	BaseURL       string
	AccessToken   string
	PhoneNumberID string
	HTTP          *http.Client
}

// userAgent identifies balcao; Meta's media host answers oddly without one.
const userAgent = "balcao/1 (+whatsapp cloud api)"

// maxJSONResponse bounds how much of an API answer is read.
const maxJSONResponse = 1 << 20

var defaultHTTP = &http.Client{Timeout: 30 * time.Second}

func (c *Client) httpClient() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return defaultHTTP
}

// configured reports a missing setting, which no retry can fix.
func (c *Client) configured(needPhone bool) error {
	switch {
	case c.BaseURL == "":
		return fmt.Errorf("%w: BaseURL is empty", ErrNotConfigured)
	case needPhone && c.PhoneNumberID == "":
		return fmt.Errorf("%w: PhoneNumberID is empty", ErrNotConfigured)
	}
	return nil
}

// endpoint joins BaseURL and path segments, escaping each segment.
func (c *Client) endpoint(segments ...string) string {
	var b strings.Builder
	b.WriteString(strings.TrimRight(c.BaseURL, "/"))
	for _, s := range segments {
		b.WriteString("/")
		b.WriteString(url.PathEscape(s))
	}
	return b.String()
}

type sendResponse struct {
	Success  flexBool `json:"success"`
	Messages []struct {
		ID flexString `json:"id"`
	} `json:"messages"`
}

// Send posts m to /{phone-number-id}/messages and returns the wamid Meta
// assigned (empty for a mark-as-read). Accepted is not delivered: delivery
// arrives later as status webhooks. The message is validated first; an
// invalid one returns a *ValidationError and nothing is sent. Pass errors to
// Classify to decide whether to retry.
func (c *Client) Send(ctx context.Context, m OutMessage) (wamid string, err error) {
	if m.MessagingProduct == "" {
		m.MessagingProduct = MessagingProduct
	}
	if err := m.Validate(); err != nil {
		return "", err
	}
	if err := c.configured(true); err != nil {
		return "", err
	}
	body, err := json.Marshal(m)
	if err != nil {
		return "", fmt.Errorf("whatsapp: encode message: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint(c.PhoneNumberID, "messages"), bytes.NewReader(body))
	if err != nil {
		return "", fmt.Errorf("whatsapp: send: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	var resp sendResponse
	if err := c.doJSON(req, &resp); err != nil {
		return "", err
	}
	if m.IsMarkRead() {
		if !resp.Success {
			return "", fmt.Errorf("%w: mark-as-read answered without success", ErrUnexpectedResponse)
		}
		return "", nil
	}
	if len(resp.Messages) == 0 || strings.TrimSpace(string(resp.Messages[0].ID)) == "" {
		return "", fmt.Errorf("%w: no message id in the answer", ErrUnexpectedResponse)
	}
	return strings.TrimSpace(string(resp.Messages[0].ID)), nil
}

// do sends req with the bearer token. It returns the response for a 2xx and
// an *APIError otherwise; transport errors come back wrapped.
func (c *Client) do(req *http.Request) (*http.Response, error) {
	req.Header.Set("Authorization", "Bearer "+c.AccessToken)
	req.Header.Set("User-Agent", userAgent)
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return nil, fmt.Errorf("whatsapp: %s %s: %w", req.Method, req.URL.Path, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		defer resp.Body.Close()
		body, _ := io.ReadAll(io.LimitReader(resp.Body, maxJSONResponse))
		return nil, parseAPIError(resp.StatusCode, resp.Header, body)
	}
	return resp, nil
}

// doJSON runs do and decodes a 2xx JSON answer into out.
func (c *Client) doJSON(req *http.Request, out any) error {
	resp, err := c.do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxJSONResponse))
	if err != nil {
		return fmt.Errorf("whatsapp: %s %s: read answer: %w", req.Method, req.URL.Path, err)
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("%w: %v", ErrUnexpectedResponse, err)
	}
	return nil
}
