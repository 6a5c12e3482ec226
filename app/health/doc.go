// Package health watches what can stop balcao from keeping what it is told:
// the disk of the data folder (free space, a write probe, and the write errors
// the app reports) and the continuous backup. It turns what it sees into the
// pt-BR banners of the panel and the figures of Administração → Backup.
//
// Webhooks already answer 503 when their commit fails, so Meta keeps the
// message and retries; this package makes sure a person finds out why.
package health
