package server

import (
	"net/http"
	"time"

	"balcao/app/config"
	"balcao/app/whatsapp"
)

// waTransport is shared by the sending and the media clients. The default
// transport keeps two idle connections per host; at hundreds of messages per
// second that would open and close a connection per request.
var waTransport = func() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 2048
	t.MaxIdleConnsPerHost = 1024
	return t
}()

// sendClient is the Cloud API client of the outbox: a send that takes longer
// than 30 s is given up and retried.
func sendClient(c *config.Config) *whatsapp.Client {
	return &whatsapp.Client{BaseURL: c.WA.APIURL, AccessToken: c.WA.AccessToken, PhoneNumberID: c.WA.PhoneNumberID,
		HTTP: &http.Client{Timeout: 30 * time.Second, Transport: waTransport}}
}

// mediaClient is the Cloud API client of the media fetcher: a 100 MB
// document on a slow link needs minutes.
func mediaClient(c *config.Config) *whatsapp.Client {
	return &whatsapp.Client{BaseURL: c.WA.APIURL, AccessToken: c.WA.AccessToken, PhoneNumberID: c.WA.PhoneNumberID,
		HTTP: &http.Client{Timeout: 10 * time.Minute, Transport: waTransport}}
}
