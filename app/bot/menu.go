package bot

import (
	"encoding/json"
	"fmt"
	"strings"

	"balcao/app/markdown"
	"balcao/app/store"
	"balcao/app/words"
)

// FieldType is the kind of value an ask node's field takes.
type FieldType string

// Field types.
const (
	FieldText     FieldType = "text"     // free text
	FieldCPF      FieldType = "cpf"      // 11 digits with valid check digits
	FieldPhone    FieldType = "phone"    // Brazilian phone with area code
	FieldDate     FieldType = "date"     // dd/mm/aaaa
	FieldChoice   FieldType = "choice"   // one of Field.Options
	FieldLocation FieldType = "location" // a shared WhatsApp location or a typed address
	FieldMedia    FieldType = "media"    // a photo or a document
)

// FieldTypes lists the field types in the order the panel offers them.
var FieldTypes = []FieldType{FieldText, FieldCPF, FieldPhone, FieldDate, FieldChoice, FieldLocation, FieldMedia}

// Field is one value an ask node asks for.
type Field struct {
	// Key names the value in the answers ("descricao", "cpf").
	Key string `json:"key"`
	// Label is the question, in Markdown ("Descreva o problema").
	Label string    `json:"label"`
	Type  FieldType `json:"type"`
	// Optional fields can be skipped ("pular").
	Optional bool `json:"optional,omitempty"`
	// Options are the choices of a choice field.
	Options []string `json:"options,omitempty"`
}

// Config is the part of a node's action stored as JSON in
// store.MenuNode.Config (article and group have their own columns).
type Config struct {
	// TicketKind is the kind of the ticket an ask or handoff node opens.
	TicketKind string `json:"ticket_kind,omitempty"`
	// Fields are asked one at a time by an ask node.
	Fields []Field `json:"fields,omitempty"`
	// OfferAnonymity asks first whether the citizen wants a protected identity.
	OfferAnonymity bool `json:"offer_anonymity,omitempty"`
	// Done is the Markdown sent when an ask node that opens no ticket finishes.
	Done string `json:"done,omitempty"`
}

// ParseConfig reads a node's config; "" and "{}" are the empty config.
func ParseConfig(s string) (Config, error) {
	var c Config
	if strings.TrimSpace(s) == "" {
		return c, nil
	}
	if err := json.Unmarshal([]byte(s), &c); err != nil {
		return c, fmt.Errorf("menu node config: %w", err)
	}
	return c, nil
}

// String is c as JSON for store.MenuNode.Config.
func (c Config) String() string {
	b, err := json.Marshal(c)
	if err != nil {
		return "{}"
	}
	return string(b)
}

// Action is what choosing a node does.
type Action struct {
	// Kind is one of store.MenuAction*.
	Kind      string
	ArticleID int64
	GroupID   int64
	Config
}

// Node is one option of the menu, with its children.
type Node struct {
	ID       int64
	Title    string
	Message  string // Markdown, as written
	Keywords []string
	Action   Action
	Parent   *Node
	Children []*Node

	text   string     // Message in WhatsApp formatting
	labels []string   // field labels in WhatsApp formatting
	terms  [][]string // title and each keyword as folded terms, for matching
	depth  int
}

// Text is the node's message in WhatsApp formatting.
func (n *Node) Text() string { return n.text }

// Path is the titles from the first level down to n ("Ouvidoria › Reclamação").
func (n *Node) Path() string {
	var parts []string
	for p := n; p != nil && p.Parent != nil; p = p.Parent {
		parts = append(parts, p.Title)
	}
	if len(parts) == 0 {
		return n.Title
	}
	for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
		parts[i], parts[j] = parts[j], parts[i]
	}
	return strings.Join(parts, " › ")
}

// Menu is the whole tree, built once and then only read (safe to share).
type Menu struct {
	Root  *Node
	nodes map[int64]*Node
	index *menuIndex
	// lookup is the first protocol lookup option, for a citizen who just
	// types a protocol number.
	lookup *Node
}

// Node returns the node with id, or nil.
func (m *Menu) Node(id int64) *Node {
	if m == nil {
		return nil
	}
	return m.nodes[id]
}

// Len is the number of nodes reachable from the root.
func (m *Menu) Len() int {
	if m == nil {
		return 0
	}
	return len(m.nodes)
}

// BuildMenu makes the engine's tree from the store's rows. It keeps what it
// can use and reports the rest as problems (the full check, with articles and
// groups, is Validate): nodes not reachable from the root are left out, and a
// config that does not decode is read as empty.
func BuildMenu(records []store.MenuNode) (*Menu, []Problem) {
	var problems []Problem
	all := map[int64]*Node{}
	parent := map[int64]int64{}
	var order []int64
	var root *Node
	for _, r := range records {
		cfg, err := ParseConfig(r.Config)
		if err != nil {
			problems = append(problems, problem(r.ID, r.Title, SevError, txtProblemConfig))
		}
		n := &Node{
			ID: r.ID, Title: strings.TrimSpace(r.Title), Message: r.Message,
			Keywords: splitKeywords(r.Keywords),
			Action:   Action{Kind: r.Action, ArticleID: r.ArticleID, GroupID: r.GroupID, Config: cfg},
		}
		if _, dup := all[r.ID]; dup {
			continue
		}
		all[r.ID] = n
		order = append(order, r.ID)
		parent[r.ID] = r.ParentID
		if r.ParentID == 0 {
			if root != nil {
				problems = append(problems, problem(r.ID, r.Title, SevError, txtProblemTwoRoots))
				continue
			}
			root = n
		}
	}
	for _, id := range order {
		n, p := all[id], parent[id]
		if p == 0 {
			continue
		}
		if pn := all[p]; pn != nil {
			n.Parent = pn
			pn.Children = append(pn.Children, n)
		}
	}
	m := &Menu{Root: root, nodes: map[int64]*Node{}}
	if root == nil {
		if len(records) > 0 {
			problems = append(problems, problem(0, "", SevError, txtProblemNoRoot))
		}
		m.index = newMenuIndex(nil)
		return m, problems
	}
	// Walk from the root; whatever is not reached is a cycle or an orphan.
	var walk func(n *Node, depth int)
	walk = func(n *Node, depth int) {
		m.nodes[n.ID] = n
		n.depth = depth
		n.prepare()
		for _, c := range n.Children {
			if _, seen := m.nodes[c.ID]; !seen {
				walk(c, depth+1)
			}
		}
	}
	walk(root, 0)
	for queue := []*Node{root}; len(queue) > 0 && m.lookup == nil; queue = queue[1:] {
		for _, c := range queue[0].Children {
			if c.Action.Kind == store.MenuActionLookup && m.lookup == nil {
				m.lookup = c
			}
			queue = append(queue, c)
		}
	}
	for _, id := range order {
		if _, ok := m.nodes[id]; !ok && parent[id] != 0 {
			n := all[id]
			msg := txtProblemUnreachable
			if inCycle(id, parent) {
				msg = txtProblemCycle
			}
			problems = append(problems, problem(id, n.Title, SevError, msg))
		}
	}
	m.index = newMenuIndex(m)
	return m, problems
}

// inCycle reports whether following parents from id comes back to id.
func inCycle(id int64, parent map[int64]int64) bool {
	seen := map[int64]bool{}
	for p := parent[id]; p != 0 && !seen[p]; p = parent[p] {
		if p == id {
			return true
		}
		seen[p] = true
	}
	return false
}

// prepare converts the node's Markdown and computes its match terms.
func (n *Node) prepare() {
	n.text = markdown.WhatsApp(n.Message)
	n.labels = make([]string, len(n.Action.Fields))
	for i, f := range n.Action.Fields {
		n.labels[i] = markdown.WhatsApp(f.Label)
	}
	n.terms = nil
	for _, phrase := range append([]string{n.Title}, n.Keywords...) {
		if t := words.Terms(phrase); len(t) > 0 {
			n.terms = append(n.terms, t)
		}
	}
}

// splitKeywords reads "2 via, boleto; fatura" as phrases.
func splitKeywords(s string) []string {
	var out []string
	for _, k := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '\n' }) {
		if k = strings.TrimSpace(k); k != "" {
			out = append(out, k)
		}
	}
	return out
}

// humanGroup is where "falar com um atendente" goes from n: the nearest
// group on the way up, else the group of a handoff option of the root.
func (m *Menu) humanGroup(n *Node) int64 {
	for p := n; p != nil; p = p.Parent {
		if p.Action.GroupID != 0 {
			return p.Action.GroupID
		}
	}
	if m.Root != nil {
		for _, c := range m.Root.Children {
			if c.Action.Kind == store.MenuActionHandoff && c.Action.GroupID != 0 {
				return c.Action.GroupID
			}
		}
	}
	return 0
}
