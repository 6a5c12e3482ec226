// Package markdown turns the Markdown that curators write (menu messages,
// knowledge-base answers) into the two forms balcao shows: safe HTML for the
// panel and WhatsApp's own formatting for the citizen. Both come from the same
// goldmark parse (CommonMark + GitHub extensions), so a preview in the panel
// says the same as the message on the phone.
package markdown

import (
	"bytes"
	"sync"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/renderer/html"
)

var (
	// md parses GitHub-flavoured Markdown. Raw HTML is never rendered (no
	// html.WithUnsafe) and, for the same reason, WhatsApp drops it too.
	// Single newlines are kept as line breaks, as on WhatsApp, because
	// curators type answers line by line.
	md = goldmark.New(
		goldmark.WithExtensions(extension.GFM),
		goldmark.WithRendererOptions(html.WithHardWraps()),
	)

	policyOnce sync.Once
	policy     *bluemonday.Policy
)

// sanitizer is bluemonday's policy for user-generated content, with every
// link marked nofollow and external links opened in a new tab (bluemonday adds
// rel="noopener" to those).
func sanitizer() *bluemonday.Policy {
	policyOnce.Do(func() {
		p := bluemonday.UGCPolicy()
		p.RequireNoFollowOnLinks(true)
		p.AddTargetBlankToFullyQualifiedLinks(true)
		policy = p
	})
	return policy
}

// HTML renders md as sanitised HTML for the panel. It never fails: Markdown
// has no syntax errors, and anything unsafe is removed.
func HTML(src string) string {
	var buf bytes.Buffer
	if err := md.Convert([]byte(src), &buf); err != nil {
		// goldmark only fails when the writer fails; a bytes.Buffer does not.
		return sanitizer().Sanitize(src)
	}
	return sanitizer().Sanitize(buf.String())
}
