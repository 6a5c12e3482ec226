// Package outbox sends what balcao has to say on WhatsApp. It is the only
// sender: the bot, the panel and the campaigns write rows to the outbox table
// (store.Enqueue, in the same transaction as the message they belong to) and
// call Worker.Wake; the Worker claims due rows, sends them through the Cloud
// API client and records each outcome.
//
// How it sends:
//
//   - A global token bucket (golang.org/x/time/rate) holds the configured
//     rate (BALCAO_WA_RATE, 80/s by default, up to 1,000/s). A token is taken
//     before a row is claimed, so rows are marked in flight only just before
//     their request leaves, and as many requests run at once as the rate and
//     the API's latency need.
//   - One citizen's messages go out one at a time and in order (see
//     store.ClaimDue). After 131056 (too many messages to one citizen) that
//     citizen's line waits whatsapp.PairRateInterval; everyone else's goes on.
//   - Timeouts, network errors, 5xx and the throughput codes (130429, 80007,
//     4, 131057…) are retried with exponential backoff and full jitter, a
//     bounded number of times; rate-limit codes also hold all sending for a
//     moment. What can never go through is marked failed with its code and a
//     pt-BR explanation the clerk sees on the message; 131047 (24-hour window
//     closed) says to send the approved template.
//   - 190 (token expired) and 368 (account restricted) stop all sending:
//     nothing is lost (the rows stay pending, in order), Alert reports it for
//     the panel's banner, it is logged at ERROR, and one pending row is tried
//     again every ProbeEvery, so sending resumes by itself once the token is
//     fixed. Template problems (132xxx) fail that message and raise an alert
//     without stopping the rest.
//   - Media the panel attached is named "media:<id>" in the payload
//     (store.LocalMediaRef): the worker uploads the file from media.db,
//     caches WhatsApp's media id, and sends that id.
//
// What happens after a crash (the unknown-outcome choice): a row is marked in
// flight before its request leaves and marked sent or failed after the
// answer, so a row still in flight at start may or may not have reached
// WhatsApp. At start the worker turns such rows into "unknown" and never
// sends them again by itself: the clerk sees "Envio interrompido: não se sabe
// se chegou ao WhatsApp" with a Reenviar button, because a duplicate notice to
// a citizen is worse than a question a person can answer. Rows that were only
// pending are simply sent after the restart, exactly once.
//
// A timed-out request is the one ambiguous case that is retried: the Cloud
// API offers no idempotency key, and the alternative (asking a clerk about
// every network hiccup) would make the queue unusable; the client's timeout is
// long, so a timeout almost always means the request never completed.
package outbox
